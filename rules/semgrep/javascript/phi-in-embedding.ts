// Indexing clinical notes for retrieval: openai-node, the Vercel AI SDK and LangChain.js stores.
import OpenAI from "openai";
import { embedMany, embed } from "ai";
import { openai as openaiProvider } from "@ai-sdk/openai";
import { OpenAIEmbeddings } from "@langchain/openai";
import { MemoryVectorStore } from "langchain/vectorstores/memory";
import { Document } from "@langchain/core/documents";
import { redact } from "@/lib/privacy";

const openai = new OpenAI();
const embeddings = new OpenAIEmbeddings({ model: "text-embedding-3-small" });

export async function embedVisitNote(visitNote: string) {
  const response = await openai.embeddings.create({
    model: "text-embedding-3-small",
    // ruleid: phi-in-embedding
    input: visitNote,
  });
  return response.data[0].embedding;
}

export async function embedRedactedVisitNote(visitNote: string) {
  const response = await openai.embeddings.create({
    model: "text-embedding-3-small",
    // ok: phi-in-embedding
    input: redact(visitNote),
  });
  return response.data[0].embedding;
}

export async function embedDischargeSummaries(records: { dischargeSummary: string }[]) {
  const { embeddings: vectors } = await embedMany({
    model: openaiProvider.embedding("text-embedding-3-small"),
    // ruleid: phi-in-embedding
    values: records.map((r) => r.dischargeSummary),
  });
  return vectors;
}

export async function embedGuidelineTitles(guidelineTitles: string[]) {
  const { embeddings: vectors } = await embedMany({
    model: openaiProvider.embedding("text-embedding-3-small"),
    // ok: phi-in-embedding
    values: guidelineTitles,
  });
  return vectors;
}

export async function embedSymptoms(symptomDescription: string) {
  const { embedding } = await embed({
    model: openaiProvider.embedding("text-embedding-3-small"),
    // ruleid: phi-in-embedding
    value: symptomDescription,
  });
  return embedding;
}

export async function indexEncounters(encounterNotes: string[], mrn: string) {
  const docs = encounterNotes.map((text) => new Document({ pageContent: text, metadata: { mrn } }));
  // ruleid: phi-in-embedding
  return MemoryVectorStore.fromDocuments(docs, embeddings);
}

export async function indexFormulary(drugMonographs: string[]) {
  const docs = drugMonographs.map((text) => new Document({ pageContent: text, metadata: { source: "formulary" } }));
  // ok: phi-in-embedding
  return MemoryVectorStore.fromDocuments(docs, embeddings);
}

export async function searchSimilar(store: MemoryVectorStore, diagnosis: string) {
  // ruleid: phi-in-embedding
  return store.similaritySearch(`patients with ${diagnosis}`, 5);
}

export async function searchGuidelines(store: MemoryVectorStore, topic: string) {
  // ok: phi-in-embedding
  return store.similaritySearch(`guidelines about ${topic}`, 5);
}
