"""The OpenAPI 3.1 description of the decision service, served at ``/openapi.json``.

Written out by hand rather than generated from the routes: it is the
contract with the partners' systems, so it changes only on purpose (a test
checks every route is described and every described route exists).
"""

from __future__ import annotations

import copy
from typing import Any, Final

from woda_sharing._conditions import CONSENT_STATES
from woda_sharing._decisions import REASONS

__all__ = ["openapi"]

_ID: Final = {"type": "string", "minLength": 1, "maxLength": 200}
_PROBLEM_REF: Final = {"$ref": "#/components/schemas/Problem"}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _PROBLEM_REF}},
    }


_REFUSALS: Final = {
    "400": _problem(
        "Malformed request (`malformed-request`) or Authorization header (`malformed-credentials`)."
    ),
    "401": _problem("No credentials (`no-credentials`) or an unknown token (`unknown-token`)."),
    "403": _problem(
        "The caller may not ask on behalf of this organisation (`not-your-organisation`), "
        "or the organisation is not a party to the request (`not-a-party`)."
    ),
    "413": _problem("The body is larger than the service accepts (`body-too-large`)."),
    "503": _problem(
        "Nothing to decide with (`not-serving`), or recording is required and the decision "
        "log did not take the record (`recording-unavailable`): no unrecorded answer is sent."
    ),
}

_DOCUMENT: Final[dict[str, Any]] = {
    "openapi": "3.1.0",
    "info": {
        "title": "woda-sharing decision service",
        "version": "1",
        "description": "Run-time sharing decisions over a partnership's register: may this "
        "organisation share these items with that one, for this purpose, on this date. "
        "Default-deny; every refusal carries stable reason codes. With recording required, "
        "every answer is in the decision log before it is sent.",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "paths": {
        "/v1/decisions": {
            "post": {
                "operationId": "decide",
                "summary": "Decide one request",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Request"}}
                    },
                },
                "responses": {
                    "200": {
                        "description": "The decision and the id of its record.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}
                        },
                    },
                    **_REFUSALS,
                },
            }
        },
        "/v1/decisions/batch": {
            "post": {
                "operationId": "decideMany",
                "summary": "Decide many requests at once, in order",
                "description": "The whole batch is refused (with the index of the first "
                "offending request) when any request is malformed or not the caller's to ask.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["requests"],
                                "additionalProperties": False,
                                "properties": {
                                    "requests": {
                                        "type": "array",
                                        "minItems": 1,
                                        "items": {"$ref": "#/components/schemas/Request"},
                                    }
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "One answer per request, in order.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["decisions"],
                                    "properties": {
                                        "decisions": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Answer"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    **_REFUSALS,
                },
            }
        },
        "/v1/agreements": {
            "get": {
                "operationId": "agreementsInForce",
                "summary": "The charter and agreements in force, and any version withheld",
                "responses": {
                    "200": {
                        "description": "What the service decides with.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/InForce"}}
                        },
                    },
                    "401": _REFUSALS["401"],
                    "400": _REFUSALS["400"],
                    "503": _REFUSALS["503"],
                },
            }
        },
        "/health/live": {
            "get": {
                "operationId": "live",
                "summary": "The process answers",
                "security": [],
                "responses": {"200": {"description": "Live."}},
            }
        },
        "/health/ready": {
            "get": {
                "operationId": "ready",
                "summary": "The instance can answer: a policy is loaded and, when recording "
                "is required, the database is reachable",
                "security": [],
                "responses": {
                    "200": {"description": "Ready."},
                    "503": {"description": "Not ready; `problems` says why."},
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI 3.1 document."}},
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A per-system token; the service knows only its SHA-256.",
            }
        },
        "schemas": {
            "Request": {
                "type": "object",
                "required": ["sender", "recipient", "items", "purpose"],
                "additionalProperties": False,
                "properties": {
                    "sender": {**_ID, "description": "The organisation that would disclose."},
                    "sender_capacity": _ID,
                    "recipient": {**_ID, "description": "The organisation that would receive."},
                    "recipient_capacity": _ID,
                    "items": {"type": "array", "minItems": 1, "maxItems": 1000, "items": _ID},
                    "purpose": _ID,
                    "on": {
                        "type": "string",
                        "format": "date",
                        "description": "The date of the sharing (default: today, UTC).",
                    },
                    "on_behalf_of": {
                        **_ID,
                        "description": "The organisation the caller asks for: the sender or "
                        "the recipient, and one the caller is configured for (default: the sender).",
                    },
                    "uses": {
                        "type": "array",
                        "maxItems": 50,
                        "items": _ID,
                        "description": "What the recipient intends to do (conditions of use).",
                    },
                    "received_under": {
                        "type": "string",
                        "description": "For onward disclosure: AGREEMENT or AGREEMENT#FLOW the data"
                        " came in under.",
                    },
                    "consent": {
                        "enum": sorted(CONSENT_STATES),
                        "description": "The person's recorded consent or objection.",
                    },
                    "conditions": {
                        "type": "array",
                        "maxItems": 50,
                        "items": _ID,
                        "description": "Named conditions the sharing meets: triggers, overrides.",
                    },
                },
            },
            "Answer": {
                "type": "object",
                "required": ["record", "decision"],
                "properties": {
                    "record": {
                        "type": ["string", "null"],
                        "description": "The id of the decision's record (null when recording is off).",
                    },
                    "decision": {"$ref": "#/components/schemas/Decision"},
                },
            },
            "Decision": {
                "type": "object",
                "required": [
                    "permitted",
                    "agreements",
                    "flows",
                    "bases",
                    "refused_items",
                    "reasons",
                ],
                "properties": {
                    "permitted": {"type": "boolean"},
                    "agreements": {"type": "array", "items": {"type": "string"}},
                    "flows": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "agreement": {"type": "string"},
                                "flow": {"type": "string"},
                            },
                        },
                    },
                    "bases": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "title": {"type": "string"},
                                "citation": {"type": "string"},
                            },
                        },
                    },
                    "obligations": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "action": {"type": "string"},
                                "party": {"type": "string"},
                                "agreement": {"type": "string"},
                                "flow": {"type": "string"},
                            },
                        },
                    },
                    "prohibited": {"type": "array", "items": {"type": "string"}},
                    "overrides": {"type": "array", "items": {"type": "string"}},
                    "refused_items": {"type": "array", "items": {"type": "string"}},
                    "reasons": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string", "enum": sorted(REASONS)},
                                "message": {"type": "string"},
                                "items": {"type": "array", "items": {"type": "string"}},
                                "agreements": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                },
            },
            "Document": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string"},
                    "id": {"type": "string"},
                    "version": {"type": "integer"},
                    "digest": {"type": "string"},
                    "title": {"type": "string"},
                    "start": {"type": ["string", "null"], "format": "date"},
                    "end": {"type": ["string", "null"], "format": "date"},
                    "review": {"type": ["string", "null"], "format": "date"},
                },
            },
            "InForce": {
                "type": "object",
                "properties": {
                    "charter": {"$ref": "#/components/schemas/Document"},
                    "agreements": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Document"},
                    },
                    "withheld": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "kind": {"type": "string"},
                                "id": {"type": "string"},
                                "version": {"type": "integer"},
                                "reason": {"type": "string"},
                            },
                        },
                    },
                    "loaded_at": {"type": "string", "format": "date-time"},
                    "problem": {"type": ["string", "null"]},
                },
            },
            "Problem": {
                "type": "object",
                "description": "RFC 9457 problem details, with the service's stable `code`.",
                "required": ["status", "code", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "code": {
                        "type": "string",
                        "enum": [
                            "malformed-request",
                            "malformed-credentials",
                            "no-credentials",
                            "unknown-token",
                            "not-your-organisation",
                            "not-a-party",
                            "body-too-large",
                            "not-found",
                            "method-not-allowed",
                            "not-serving",
                            "recording-unavailable",
                            "internal-error",
                        ],
                    },
                },
            },
        },
    },
}


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service (a fresh copy)."""
    return copy.deepcopy(_DOCUMENT)
