// An Express API for a symptom checker: request bodies must not reach the logs.
const express = require("express");
const winston = require("winston");

const logger = winston.createLogger({ transports: [new winston.transports.Console()] });
const app = express();
app.use(express.json());

app.post("/symptom-checks", async (req, res) => {
  // ruleid: payload-in-log
  logger.info("symptom check", { payload: req.body });
  // ok: payload-in-log
  logger.info("symptom check", { requestId: req.get("x-request-id") });
  res.status(202).end();
});

app.patch("/symptom-checks/:id", function (req, res) {
  // ruleid: payload-in-log
  console.log(`update ${req.params.id}: ${JSON.stringify(req.body)}`);
  // ok: payload-in-log
  console.log(`update ${req.params.id} at ${new Date().toISOString()}`);
  res.status(204).end();
});

module.exports = app;
