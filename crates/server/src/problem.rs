//! Errors as RFC 9457 problem details: `application/problem+json` with `type`, `title`,
//! `status` and a `detail` that says what was wrong in the request.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem: an HTTP status and a clear message.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank`: the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
}

impl Problem {
    /// A problem with `status` and `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
        }
    }

    /// 400: the request cannot be understood.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 404: nothing with this id.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 500: the server failed (the store, the index); never for bad input.
    pub fn internal(detail: impl Into<String>) -> Problem {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }

    /// The HTTP status.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<khabar_corpus::Error> for Problem {
    fn from(e: khabar_corpus::Error) -> Problem {
        match e {
            khabar_corpus::Error::Query(_) => Problem::bad_request(e.to_string()),
            other => Problem::internal(other.to_string()),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
