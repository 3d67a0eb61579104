// Errors that leave the process: thrown messages and Sentry in a Next.js app.
import * as Sentry from "@sentry/nextjs";
import { NextRequest, NextResponse } from "next/server";
import { prisma } from "@/lib/prisma";

export async function POST(req: NextRequest) {
  const body = await req.json();
  const member = await prisma.member.findFirst({ where: { memberNumber: body.memberNumber } });
  if (!member) {
    // ruleid: phi-in-exception
    throw new Error(`no member with number ${body.memberNumber}`);
  }
  if (!member.active) {
    // ok: phi-in-exception
    throw new Error(`member record ${member.id} is inactive`);
  }
  return NextResponse.json({ ok: true });
}

export async function GET(req: NextRequest) {
  const payload = await req.json();
  try {
    await submitClaim(payload);
  } catch (err) {
    // ruleid: phi-in-exception
    Sentry.setContext("claim", payload);
    // ok: phi-in-exception
    Sentry.setContext("claim", { route: "/api/claims", retryable: true });
    // ruleid: phi-in-exception
    Sentry.setUser({ email: payload.patientEmail });
    // ok: phi-in-exception
    Sentry.setUser({ id: payload.requestId });
    Sentry.captureException(err);
  }
  return NextResponse.json({ ok: false }, { status: 502 });
}

export function validateDob(patientDob: string) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(patientDob)) {
    // ruleid: phi-in-exception
    throw new RangeError(`invalid date of birth ${patientDob}`);
  }
  // ok: phi-in-exception
  throw new RangeError("invalid date of birth format");
}

export function reportScopeMismatch(diagnosis: string, claimId: string) {
  Sentry.withScope((scope) => {
    // ruleid: phi-in-exception
    scope.setExtra("diagnosis", diagnosis);
    // ok: phi-in-exception
    scope.setExtra("claimRef", claimId.length);
    Sentry.captureMessage("scope mismatch");
  });
}

async function submitClaim(payload: unknown) {
  return fetch("https://claims.internal.contoso-health.org/v1/claims", { method: "POST", body: JSON.stringify(payload) });
}
