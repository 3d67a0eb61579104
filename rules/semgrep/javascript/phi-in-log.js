// An Express webhook receiver that logs through pino-http's request logger.
const express = require("express");
const pinoHttp = require("pino-http");

const app = express();
app.use(express.json());
app.use(pinoHttp());

app.post("/webhooks/lab-results", (req, res) => {
  const { accessionNumber, patientEmail, status } = req.body;
  // ruleid: phi-in-log
  req.log.info({ accessionNumber, patientEmail }, "lab result received");
  // ok: phi-in-log
  req.log.info({ accessionNumber, status }, "lab result received");
  res.sendStatus(204);
});

module.exports = app;
