// Care-plan drafting in a Next.js app: records from Prisma, Drizzle and a FHIR server.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { streamText } from "ai";
import { anthropic as anthropicProvider } from "@ai-sdk/anthropic";
import { MedplumClient } from "@medplum/core";
import type { Patient } from "fhir/r4";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { patients } from "@/db/schema";
import { prisma } from "@/lib/prisma";

const openai = new OpenAI();
const claude = new Anthropic();
const medplum = new MedplumClient({ baseUrl: process.env.MEDPLUM_BASE_URL });

export async function draftCarePlan(patientId: string) {
  const patient = await prisma.patient.findUnique({ where: { id: patientId }, include: { encounters: true } });
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ruleid: record-in-prompt
    messages: [{ role: "user", content: `Draft a care plan for: ${JSON.stringify(patient)}` }],
  });
  return completion.choices[0].message.content;
}

export async function draftCarePlanForWard(patientId: string) {
  const patient = await prisma.patient.findUnique({ where: { id: patientId } });
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ok: record-in-prompt
    messages: [{ role: "user", content: `Draft a discharge checklist for ward ${patient.ward} with ${patient.bedCount} beds.` }],
  });
  return completion.choices[0].message.content;
}

export async function summariseFhirPatient(id: string) {
  const resource = await medplum.readResource("Patient", id);
  const message = await claude.messages.create({
    model: "claude-sonnet-4-5",
    max_tokens: 800,
    // ruleid: record-in-prompt
    messages: [{ role: "user", content: `Summarise this FHIR resource:\n${JSON.stringify(resource)}` }],
  });
  return message.content;
}

export async function summariseFhirCapabilities() {
  const statement = await medplum.get("metadata");
  const message = await claude.messages.create({
    model: "claude-sonnet-4-5",
    max_tokens: 800,
    // ok: record-in-prompt
    messages: [{ role: "user", content: `Which FHIR interactions does this server support?\n${JSON.stringify(statement)}` }],
  });
  return message.content;
}

export async function explainChart(subject: Patient) {
  return streamText({
    model: anthropicProvider("claude-sonnet-4-5"),
    system: "You explain a chart to the patient it belongs to.",
    // ruleid: record-in-prompt
    prompt: JSON.stringify(subject),
  });
}

export async function explainVisitTypes(visitTypes: string[]) {
  return streamText({
    model: anthropicProvider("claude-sonnet-4-5"),
    // ok: record-in-prompt
    prompt: `Explain these visit types to a new patient: ${visitTypes.join(", ")}`,
  });
}

export async function outreachDraft(patientId: string) {
  const [row] = await db.select().from(patients).where(eq(patients.id, patientId));
  const completion = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    // ruleid: record-in-prompt
    messages: [{ role: "user", content: `Write an outreach text for this patient row: ${JSON.stringify(row)}` }],
  });
  return completion.choices[0].message.content;
}

export async function outreachCadence(patientId: string) {
  const [row] = await db.select().from(patients).where(eq(patients.id, patientId));
  const completion = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    // ok: record-in-prompt
    messages: [{ role: "user", content: `Suggest an outreach cadence for someone last seen ${row.daysSinceVisit} days ago.` }],
  });
  return completion.choices[0].message.content;
}

export async function POST(request: Request) {
  const intake = await request.json();
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ruleid: record-in-prompt
    messages: [{ role: "user", content: `Triage this intake form: ${JSON.stringify(intake)}` }],
  });
  return Response.json({ triage: completion.choices[0].message.content });
}

export async function PUT(request: Request) {
  const body = await request.json();
  const completion = await openai.chat.completions.create({
    model: "gpt-4o",
    // ok: record-in-prompt
    messages: [{ role: "user", content: body.question }],
  });
  return Response.json({ answer: completion.choices[0].message.content });
}
