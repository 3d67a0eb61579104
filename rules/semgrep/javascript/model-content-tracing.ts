// Switches that record prompts and model outputs: LangChain.js tracing and verbosity, Vercel AI
// SDK telemetry, callback handlers that print or upload every run.
import { ChatOpenAI } from "@langchain/openai";
import { AgentExecutor } from "langchain/agents";
import { ConsoleCallbackHandler } from "@langchain/core/tracers/console";
import { generateText } from "ai";
import { openai } from "@ai-sdk/openai";

export function enableTracingForDebugging() {
  // ruleid: model-content-tracing
  process.env.LANGCHAIN_TRACING_V2 = "true";
  // ok: model-content-tracing
  process.env.LANGCHAIN_TRACING_V2 = "false";
  // ruleid: model-content-tracing
  process.env["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true";
  // ok: model-content-tracing
  process.env.LANGCHAIN_PROJECT = "triage-assistant";
  // ruleid: model-content-tracing
  process.env.OPENAI_LOG = "debug";
  // ok: model-content-tracing
  process.env.OPENAI_LOG = "info";
}

// ruleid: model-content-tracing
const chatty = new ChatOpenAI({ model: "gpt-4o", verbose: true });
// ok: model-content-tracing
const quiet = new ChatOpenAI({ model: "gpt-4o", verbose: false });

export function buildExecutor(agent: any, tools: any[]) {
  // ruleid: model-content-tracing
  return new AgentExecutor({ agent, tools, verbose: true });
}

export async function runWithConsoleTrace(question: string) {
  // ruleid: model-content-tracing
  return quiet.invoke(question, { callbacks: [new ConsoleCallbackHandler()] });
}

export async function summarise(note: string) {
  // ruleid: model-content-tracing
  return generateText({
    model: openai("gpt-4o"),
    prompt: note,
    experimental_telemetry: { isEnabled: true, functionId: "summarise-note" },
  });
}

export async function summariseWithoutContent(note: string) {
  // ok: model-content-tracing
  return generateText({
    model: openai("gpt-4o"),
    prompt: note,
    experimental_telemetry: { isEnabled: true, recordInputs: false, recordOutputs: false },
  });
}

export { chatty };
