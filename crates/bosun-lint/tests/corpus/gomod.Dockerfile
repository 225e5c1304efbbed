FROM golang:1.22
RUN go install example.org/x
RUN go install -v example.org/y@v1 example.org/z@latest
RUN go build ./...
