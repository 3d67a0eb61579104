// Requests that let OpenAI keep prompts and answers.
import OpenAI from "openai";

const openai = new OpenAI();

export async function draftReply(question: string) {
  return openai.chat.completions.create({
    model: "gpt-4o",
    messages: [{ role: "user", content: question }],
    // ruleid: vendor-data-retention
    store: true,
  });
}

export async function draftReplyUnstored(question: string) {
  return openai.chat.completions.create({
    model: "gpt-4o",
    messages: [{ role: "user", content: question }],
    // ok: vendor-data-retention
    store: false,
  });
}

export async function answer(question: string) {
  // ruleid: vendor-data-retention
  return openai.responses.create({ model: "gpt-4.1", input: question });
}

export async function answerUnstored(question: string) {
  // ok: vendor-data-retention
  return openai.responses.create({ model: "gpt-4.1", input: question, store: false });
}

export async function parseIntake(text: string) {
  return openai.chat.completions.parse({
    model: "gpt-4o",
    messages: [{ role: "user", content: text }],
    // ruleid: vendor-data-retention
    store: true,
  });
}

export async function parseIntakeUnstored(text: string) {
  return openai.chat.completions.parse({
    model: "gpt-4o",
    messages: [{ role: "user", content: text }],
    // ok: vendor-data-retention
    store: false,
  });
}

export async function streamAnswer(question: string) {
  // ruleid: vendor-data-retention
  return openai.responses.stream({ model: "gpt-4.1", input: question });
}

export async function streamAnswerWithOptions(question: string, options: { store: boolean }) {
  // ok: vendor-data-retention
  return openai.responses.stream({ model: "gpt-4.1", input: question, ...options });
}
