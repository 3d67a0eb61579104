// Next.js App Router handlers of a clinic assistant: visit summaries, triage and letters.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { generateText } from "ai";
import { openai as openaiProvider } from "@ai-sdk/openai";
import { GoogleGenAI } from "@google/genai";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { ChatAnthropic } from "@langchain/anthropic";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { NextRequest, NextResponse } from "next/server";
import { prisma } from "@/lib/db";
import { redact } from "@/lib/privacy";

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const anthropic = new Anthropic();
const genai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });
const bedrock = new BedrockRuntimeClient({ region: "us-east-1" });

export async function POST(req: NextRequest) {
  const { patientId } = await req.json();
  const patient = await prisma.patient.findUniqueOrThrow({ where: { id: patientId } });
  const prompt = `Write a visit summary for ${patient.firstName} ${patient.lastName}, born ${patient.dateOfBirth}.`;
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ruleid: phi-in-prompt
    messages: [{ role: "user", content: prompt }],
  });
  return NextResponse.json({ summary: completion.choices[0].message.content });
}

export async function PUT(req: NextRequest) {
  const { patientId } = await req.json();
  const patient = await prisma.patient.findUniqueOrThrow({ where: { id: patientId } });
  const prompt = `Write a visit summary for ${redact(patient.firstName)}, born ${redact(patient.dateOfBirth)}.`;
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ok: phi-in-prompt
    messages: [{ role: "user", content: prompt }],
  });
  return NextResponse.json({ summary: completion.choices[0].message.content });
}

// Ward and bed are where a patient lies, not who they are: the twin of the handlers above.
export async function PATCH(req: NextRequest) {
  const { patientId } = await req.json();
  const patient = await prisma.patient.findUniqueOrThrow({ where: { id: patientId } });
  const completion = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    // ok: phi-in-prompt
    messages: [{ role: "user", content: `Suggest a cleaning round for ward ${patient.ward}, bed ${patient.bed}.` }],
  });
  return NextResponse.json({ plan: completion.choices[0].message.content });
}

export async function triageWithClaude(diagnosis: string, medications: string[]) {
  const message = await anthropic.messages.create({
    model: "claude-sonnet-4-5",
    max_tokens: 1024,
    // ruleid: phi-in-prompt
    system: `You triage referrals. Working diagnosis: ${diagnosis}.`,
    // ruleid: phi-in-prompt
    messages: [
      { role: "user", content: `Current medications: ${medications.join(", ")}. Is a same-day slot needed?` },
    ],
  });
  return message.content;
}

export async function triageCategoriesWithClaude(specialty: string, waitDays: number) {
  const message = await anthropic.messages.create({
    model: "claude-sonnet-4-5",
    max_tokens: 512,
    // ok: phi-in-prompt
    system: `You sort referrals for the ${specialty} service.`,
    // ok: phi-in-prompt
    messages: [{ role: "user", content: `The queue is ${waitDays} days long. Which categories can wait?` }],
  });
  return message.content;
}

export async function draftReferralLetter(member: { mrn: string; chiefComplaint: string }) {
  const { text } = await generateText({
    model: openaiProvider("gpt-4o"),
    // ruleid: phi-in-prompt
    prompt: `Draft a referral letter for MRN ${member.mrn}: ${member.chiefComplaint}`,
  });
  return text;
}

export async function draftClinicNotice(clinicName: string, closedOn: string) {
  const { text } = await generateText({
    model: openaiProvider("gpt-4o"),
    // ok: phi-in-prompt
    prompt: `Draft a notice that ${clinicName} is closed on ${closedOn}.`,
  });
  return text;
}

export async function explainLabs(labResults: string) {
  const response = await genai.models.generateContent({
    model: "gemini-2.5-flash",
    // ruleid: phi-in-prompt
    contents: `Explain these lab results in plain language: ${labResults}`,
  });
  return response.text;
}

export async function explainLabPanel(panelName: string) {
  const response = await genai.models.generateContent({
    model: "gemini-2.5-flash",
    // ok: phi-in-prompt
    contents: `What does a ${panelName} panel measure?`,
  });
  return response.text;
}

export async function summariseOnBedrock(clinicalNote: string) {
  const command = new ConverseCommand({
    modelId: "anthropic.claude-3-5-sonnet-20240620-v1:0",
    // ruleid: phi-in-prompt
    messages: [{ role: "user", content: [{ text: `Summarise: ${clinicalNote}` }] }],
  });
  const output = await bedrock.send(command);
  return output.output?.message?.content?.[0]?.text;
}

export async function summariseGuidelineOnBedrock(guideline: string) {
  const command = new ConverseCommand({
    modelId: "anthropic.claude-3-5-sonnet-20240620-v1:0",
    // ok: phi-in-prompt
    messages: [{ role: "user", content: [{ text: `Summarise this guideline: ${guideline}` }] }],
  });
  const output = await bedrock.send(command);
  return output.output?.message?.content?.[0]?.text;
}

export class DischargeAssistant {
  private readonly llm = new ChatAnthropic({ model: "claude-sonnet-4-5", temperature: 0 });

  async instructions(patientName: string, dischargeSummary: string) {
    // ruleid: phi-in-prompt
    const reply = await this.llm.invoke([
      new SystemMessage("You write discharge instructions at a sixth-grade reading level."),
      new HumanMessage(`Patient: ${patientName}. Summary: ${dischargeSummary}`),
    ]);
    return reply.content;
  }

  async leaflet(topic: string) {
    // ok: phi-in-prompt
    const reply = await this.llm.invoke([
      new SystemMessage("You write patient leaflets at a sixth-grade reading level."),
      new HumanMessage(`Topic: ${topic}`),
    ]);
    return reply.content;
  }
}

export async function rawCompletion(patientEmail: string, question: string) {
  const res = await fetch("https://api.openai.com/v1/chat/completions", {
    method: "POST",
    headers: { Authorization: `Bearer ${process.env.OPENAI_API_KEY}`, "Content-Type": "application/json" },
    // ruleid: phi-in-prompt
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: `${question} (reply to ${patientEmail})` }] }),
  });
  return res.json();
}

export async function notifyScheduler(patientEmail: string, slot: string) {
  // our own scheduling service, not a model: the email is its business
  const res = await fetch("https://scheduling.internal.contoso-health.org/v1/bookings", {
    method: "POST",
    // ok: phi-in-prompt
    body: JSON.stringify({ email: patientEmail, slot }),
  });
  return res.ok;
}

export async function summariseDictation(recording: File) {
  const transcription = await openai.audio.transcriptions.create({ model: "gpt-4o-transcribe", file: recording });
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ruleid: phi-in-prompt
    messages: [{ role: "user", content: `Turn this dictation into a SOAP note: ${transcription.text}` }],
  });
  return completion.choices[0].message.content;
}

export async function describeDictationLength(recording: File) {
  const transcription = await openai.audio.transcriptions.create({ model: "gpt-4o-transcribe", file: recording, response_format: "verbose_json" });
  const completion = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    // ok: phi-in-prompt
    messages: [{ role: "user", content: `How long to review a dictation of ${transcription.duration} seconds?` }],
  });
  return completion.choices[0].message.content;
}
