FROM node:20
RUN npm install express
RUN npm install -g @angular/cli
RUN npm install express@4.18 @types/node@20 ./local ../up ~/home git+https://example.org/x.git#v1 pkg.tgz
RUN npm install
RUN npm ci && npm install --save-dev jest
RUN npm install git://example.org/y.git
