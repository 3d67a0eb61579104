"""Requests that let OpenAI keep prompts and answers."""

from openai import OpenAI

client = OpenAI()


def draft_reply(question: str):
    return client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": question}],
        # ruleid: vendor-data-retention
        store=True,
    )


def draft_reply_unstored(question: str):
    return client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": question}],
        # ok: vendor-data-retention
        store=False,
    )


def answer(question: str):
    # ruleid: vendor-data-retention
    return client.responses.create(model="gpt-4.1", input=question)


def answer_unstored(question: str):
    # ok: vendor-data-retention
    return client.responses.create(model="gpt-4.1", input=question, store=False)


def parse_intake(text: str):
    return client.beta.chat.completions.parse(
        model="gpt-4o",
        messages=[{"role": "user", "content": text}],
        # ruleid: vendor-data-retention
        store=True,
    )


def parse_intake_unstored(text: str):
    return client.beta.chat.completions.parse(
        model="gpt-4o",
        messages=[{"role": "user", "content": text}],
        # ok: vendor-data-retention
        store=False,
    )


def stream_answer(question: str):
    # ruleid: vendor-data-retention
    return client.responses.stream(model="gpt-4.1", input=question)


def stream_answer_with_options(question: str, **options):
    # ok: vendor-data-retention
    return client.responses.stream(model="gpt-4.1", input=question, **options)
