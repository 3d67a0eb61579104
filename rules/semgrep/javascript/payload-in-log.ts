// Request bodies, prompts and model answers in logs: Next.js route handlers and a server action.
"use server";
import OpenAI from "openai";
import { generateText } from "ai";
import { openai as openaiProvider } from "@ai-sdk/openai";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import pino from "pino";
import { NextRequest, NextResponse } from "next/server";

const log = pino();
const openai = new OpenAI();
const template = ChatPromptTemplate.fromMessages([
  ["system", "You summarise messages from patients for the care team."],
  ["human", "{message}"],
]);

export async function POST(request: NextRequest) {
  const body = await request.json();
  // ruleid: payload-in-log
  log.info({ body }, "message received");
  // ok: payload-in-log
  log.info({ fields: Object.keys(body).length }, "message received");
  const completion = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: String(body.message) }],
  });
  const answer = completion.choices[0].message.content;
  // ruleid: payload-in-log
  console.log("model answered", answer);
  // ok: payload-in-log
  console.log("model answered", completion.usage?.total_tokens, "tokens", completion.id);
  return NextResponse.json({ answer });
}

export async function PUT(request: NextRequest) {
  const form = await request.formData();
  // ruleid: payload-in-log
  console.info("intake form", form);
  // ok: payload-in-log
  console.info("intake form with", Array.from(form.keys()).length, "fields");
  return NextResponse.json({ ok: true });
}

export async function summariseForCareTeam(message: string) {
  const prompt = await template.formatMessages({ message });
  // ruleid: payload-in-log
  log.debug({ prompt }, "prompt built");
  // ok: payload-in-log
  log.debug({ turns: prompt.length }, "prompt built");
  const { text, usage } = await generateText({ model: openaiProvider("gpt-4o"), messages: [] });
  // ruleid: payload-in-log
  log.info(`summary: ${text}`);
  // ok: payload-in-log
  log.info(`summary used ${usage.totalTokens} tokens`);
  return text;
}

export async function submitIntake(formData: FormData) {
  // ruleid: payload-in-log
  console.log("server action received", formData);
  // ok: payload-in-log
  console.log("server action received", formData.has("consent"));
}
