// Logging in a Next.js clinic app: pino, winston, the console, OpenTelemetry, a NestJS service.
import pino from "pino";
import { createLogger, format, transports } from "winston";
import { trace } from "@opentelemetry/api";
import { Injectable, Logger } from "@nestjs/common";
import { redact } from "@/lib/privacy";
import pdfParse from "pdf-parse";

const logger = pino({ level: "info" });
const audit = createLogger({ format: format.json(), transports: [new transports.Console()] });
const tracer = trace.getTracer("scheduling");

export function logAppointmentBooked(patient: { id: string; dateOfBirth: string; clinicId: string }) {
  // ruleid: phi-in-log
  logger.info({ dob: patient.dateOfBirth, clinic: patient.clinicId }, "appointment booked");
  // ok: phi-in-log
  logger.info({ patientId: patient.id, clinic: patient.clinicId }, "appointment booked");
}

export function logRefill(memberId: string, medication: string, pharmacyCode: string) {
  // ruleid: phi-in-log
  audit.info(`refill requested by ${memberId} for ${medication}`);
  // ok: phi-in-log
  audit.info(`refill requested at pharmacy ${pharmacyCode}`);
  // ok: phi-in-log
  audit.info(`refill requested for ${redact(medication)}`);
}

export function debugLabUpload(labResults: string[], uploadId: string) {
  // ruleid: phi-in-log
  console.debug("parsed lab upload", uploadId, labResults);
  // ok: phi-in-log
  console.debug("parsed lab upload", uploadId, labResults.length);
}

export async function scheduleFollowUp(patientPhone: string, visitType: string) {
  return tracer.startActiveSpan("schedule-follow-up", async (span) => {
    // ruleid: phi-in-log
    span.setAttribute("patient.phone", patientPhone);
    // ok: phi-in-log
    span.setAttribute("visit.type", visitType);
    span.end();
  });
}

@Injectable()
export class ReferralService {
  private readonly logger = new Logger(ReferralService.name);

  accept(referral: { id: string; reasonForReferral: string; specialty: string }) {
    // ruleid: phi-in-log
    this.logger.log(`accepted referral ${referral.id}: ${referral.reasonForReferral}`);
    // ok: phi-in-log
    this.logger.log(`accepted referral ${referral.id} for ${referral.specialty}`);
  }
}

export function logDownload(element: HTMLElement, patientName: string) {
  // the DOM is not a log: a page the patient sees shows their name
  // ok: phi-in-log
  element.setAttribute("aria-label", `Download records of ${patientName}`);
}

export async function importReferral(upload: Buffer) {
  const parsed = await pdfParse(upload);
  // ruleid: phi-in-log
  logger.debug({ text: parsed.text }, "referral parsed");
  // ok: phi-in-log
  logger.debug({ pages: parsed.numpages }, "referral parsed");
}
