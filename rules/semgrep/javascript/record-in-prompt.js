// Express + Mongoose service that asks a model for a follow-up plan.
const express = require("express");
const OpenAI = require("openai");
const Patient = require("../models/patient");

const router = express.Router();
const openai = new OpenAI();

router.post("/patients/:id/follow-up", async (req, res) => {
  const member = await Patient.findById(req.params.id).lean();
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ruleid: record-in-prompt
    messages: [{ role: "user", content: `Plan a follow-up for ${JSON.stringify(member)}` }],
  });
  res.json({ plan: completion.choices[0].message.content });
});

router.post("/patients/:id/follow-up-slots", async (req, res) => {
  const count = await Patient.countDocuments({ clinic: req.params.clinic });
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ok: record-in-prompt
    messages: [{ role: "user", content: `How many follow-up slots do ${count} patients need per week?` }],
  });
  res.json({ plan: completion.choices[0].message.content });
});

module.exports = router;
