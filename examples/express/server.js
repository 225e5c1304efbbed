// An Express app: `node server.js` serves it on port 8080.
const express = require("express");

const app = express();
app.get("/", (req, res) => {
  res.send(`hello from express on node ${process.version} (${process.arch})\n`);
});
app.listen(8080, () => console.log("listening on 8080"));
