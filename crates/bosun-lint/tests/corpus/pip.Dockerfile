FROM python:3.12
RUN pip install flask
RUN pip3 install --no-cache-dir flask==3.0 "requests>=2"
RUN python3 -m pip install -r requirements.txt
RUN pip install -i https://pypi.example/simple --no-cache-dir pkg
RUN pipx install black
RUN pip install .
RUN pip install -c constraints.txt django
RUN pip install --upgrade pip setuptools wheel
RUN pip install git+https://example.org/repo.git@v1 ./dist/app.whl
