# ch-test-scope: full
FROM mpich

COPY . /hello
WORKDIR /hello
RUN make clean && make
