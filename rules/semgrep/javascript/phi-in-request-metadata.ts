// Vendor-visible request metadata: the end-user id and tags OpenAI, Anthropic and LangChain keep.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { ChatOpenAI } from "@langchain/openai";
import { createHash } from "node:crypto";

const openai = new OpenAI();
const anthropic = new Anthropic();
const llm = new ChatOpenAI({ model: "gpt-4o-mini" });

function pseudonym(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export async function answerPortalQuestion(patientEmail: string, question: string) {
  return openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: question }],
    // ruleid: phi-in-request-metadata
    user: patientEmail,
  });
}

export async function answerPortalQuestionPseudonymously(accountRef: string, question: string) {
  return openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: question }],
    // ok: phi-in-request-metadata
    user: pseudonym(accountRef),
  });
}

export async function coachReply(memberId: string, draft: string) {
  return anthropic.messages.create({
    model: "claude-haiku-4-5",
    max_tokens: 300,
    messages: [{ role: "user", content: draft }],
    // ruleid: phi-in-request-metadata
    metadata: { user_id: memberId },
  });
}

export async function coachReplyForSession(sessionRef: string, draft: string) {
  return anthropic.messages.create({
    model: "claude-haiku-4-5",
    max_tokens: 300,
    messages: [{ role: "user", content: draft }],
    // ok: phi-in-request-metadata
    metadata: { user_id: sessionRef },
  });
}

export async function classifyMessage(patientName: string, text: string) {
  // ruleid: phi-in-request-metadata
  return llm.invoke(text, { runName: "classify", metadata: { patientName } });
}

export async function classifyMessageForClinic(clinicCode: string, text: string) {
  // ok: phi-in-request-metadata
  return llm.invoke(text, { runName: "classify", metadata: { clinicCode } });
}

export async function embedForMember(memberNumber: string, texts: string[]) {
  return openai.embeddings.create({
    model: "text-embedding-3-small",
    input: texts,
    // ruleid: phi-in-request-metadata
    user: memberNumber,
  });
}

export async function embedForTenant(tenantSlug: string, texts: string[]) {
  return openai.embeddings.create({
    model: "text-embedding-3-small",
    input: texts,
    // ok: phi-in-request-metadata
    user: tenantSlug,
  });
}
