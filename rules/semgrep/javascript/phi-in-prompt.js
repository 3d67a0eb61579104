// Express service of a telehealth app: intake triage with openai-node, CommonJS.
const express = require("express");
const OpenAI = require("openai");
const { redact } = require("../lib/privacy");

const app = express();
app.use(express.json());
const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });

app.post("/intake/:id/triage", async (req, res) => {
  const intake = await db.intakes.get(req.params.id);
  const { chiefComplaint, allergies } = intake;
  const completion = await openai.responses.create({
    model: "gpt-4.1-mini",
    instructions: "Classify the urgency of this intake as routine, soon or urgent.",
    // ruleid: phi-in-prompt
    input: `Complaint: ${chiefComplaint}. Allergies: ${allergies.join(", ")}.`,
  });
  res.json({ urgency: completion.output_text });
});

app.post("/intake/:id/triage-redacted", async (req, res) => {
  const intake = await db.intakes.get(req.params.id);
  const completion = await openai.responses.create({
    model: "gpt-4.1-mini",
    instructions: "Classify the urgency of this intake as routine, soon or urgent.",
    // ok: phi-in-prompt
    input: `Complaint: ${redact(intake.chiefComplaint)}. Allergies: ${redact(intake.allergies)}.`,
  });
  res.json({ urgency: completion.output_text });
});

app.get("/intake/:id/queue", async (req, res) => {
  const intake = await db.intakes.get(req.params.id);
  const completion = await openai.responses.create({
    model: "gpt-4.1-mini",
    // ok: phi-in-prompt
    input: `Estimate a queue position for intake ${intake.id} received at ${intake.receivedAt}.`,
  });
  res.json({ position: completion.output_text });
});

module.exports = app;
