"""Indexing clinical notes for retrieval with OpenAI embeddings and LangChain stores."""

import chromadb
from langchain_community.vectorstores import FAISS
from langchain_openai import OpenAIEmbeddings
from openai import OpenAI

from phi_lint.redact import redact

client = OpenAI()
embeddings = OpenAIEmbeddings(model="text-embedding-3-small")
chroma = chromadb.PersistentClient(path="/var/lib/clinic/chroma")


def embed_visit_note(visit_note: str) -> list[float]:
    response = client.embeddings.create(
        model="text-embedding-3-small",
        # ruleid: phi-in-embedding
        input=visit_note,
    )
    return response.data[0].embedding


def embed_redacted_visit_note(visit_note: str) -> list[float]:
    response = client.embeddings.create(
        model="text-embedding-3-small",
        # ok: phi-in-embedding
        input=redact(visit_note),
    )
    return response.data[0].embedding


def index_discharge_summaries(rows):
    texts = [row.discharge_summary for row in rows]
    # ruleid: phi-in-embedding
    return FAISS.from_texts(texts, embeddings)


def index_formulary(monographs: list[str]):
    # ok: phi-in-embedding
    return FAISS.from_texts(monographs, embeddings)


def embed_symptoms(symptoms: str) -> list[float]:
    # ruleid: phi-in-embedding
    return embeddings.embed_query(symptoms)


def embed_topic(topic: str) -> list[float]:
    # ok: phi-in-embedding
    return embeddings.embed_query(topic)


def index_nursing_notes(nursing_notes: list[str]):
    collection = chroma.get_or_create_collection("nursing-notes")
    # ruleid: phi-in-embedding
    collection.add(documents=nursing_notes, ids=[str(i) for i in range(len(nursing_notes))])


def index_policies(policy_texts: list[str]):
    collection = chroma.get_or_create_collection("policies")
    # ok: phi-in-embedding
    collection.add(documents=policy_texts, ids=[str(i) for i in range(len(policy_texts))])
