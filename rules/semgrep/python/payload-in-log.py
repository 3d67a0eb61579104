"""Request bodies, prompts and model answers in logs: Flask and FastAPI handlers."""

import logging

from fastapi import FastAPI, Request
from flask import Flask, request
from openai import OpenAI

log = logging.getLogger(__name__)
flask_app = Flask(__name__)
api = FastAPI()
client = OpenAI()


@flask_app.post("/messages")
def receive_message():
    body = request.get_json()
    # ruleid: payload-in-log
    log.info("message received: %s", body)
    # ok: payload-in-log
    log.info("message received with %d fields", len(body))
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": str(body["message"])}])
    answer = completion.choices[0].message.content
    # ruleid: payload-in-log
    log.info("model answered: %s", answer)
    # ok: payload-in-log
    log.info("model used %d tokens", completion.usage.total_tokens)
    return {"answer": answer}


@api.post("/intake")
async def intake(req: Request):
    form = await req.json()
    # ruleid: payload-in-log
    print("intake form", form)
    # ok: payload-in-log
    print("intake form with", len(form), "fields")
    return {"ok": True}


@flask_app.post("/uploads")
def upload():
    # ruleid: payload-in-log
    log.debug("upload form: %s", request.form)
    # ok: payload-in-log
    log.debug("upload form with %d fields", len(request.form))
    return {"ok": True}
