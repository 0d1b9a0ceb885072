//! The JSON API under `/v1`, and its OpenAPI 3.1 description (utoipa, from the handlers'
//! annotations).

use crate::problem::Problem;
use crate::AppState;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use khabar_analysis::Document;
use khabar_corpus::{SaidRequest, SearchRequest, StoriesRequest};
use khabar_ingest::{Record, Rejected};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// Most results one request may ask for.
pub const MAX_LIMIT: usize = 1000;

/// The routes of the API.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/analyze", post(analyze))
        .route("/v1/search", get(search))
        .route("/v1/articles", post(add_articles))
        .route("/v1/articles/{id}", get(article))
        .route("/v1/stories", get(stories))
        .route("/v1/stories/{id}", get(story))
        .route("/v1/entities", get(entities))
        .route("/v1/entities/{id}", get(entity))
        .route("/v1/quotes", get(quotes))
        .route("/v1/openapi.json", get(openapi_json))
        .route("/v1/docs", get(reference))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "khabar",
        description = "Arabic news analysis and a searchable corpus: analyze a text, search articles, \
                       read stories, entities and who said what.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        analyze, search, add_articles, article, stories, story, entities, entity, quotes,
        healthz, metrics, openapi_json
    ),
    components(schemas(Problem, AnalyzeRequest)),
    modifiers(&BearerAuth),
    tags(
        (name = "analysis", description = "One text or article in, the khabar.analysis/1 object out"),
        (name = "corpus", description = "Search, articles, stories, entities, quotations"),
        (name = "operations", description = "Health, metrics, this document")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    q.map(|Query(t)| t)
        .map_err(|e| Problem::bad_request(e.body_text()))
}

/// An optional parameter, with an empty value (`?source=` from a form) as none.
fn given(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.trim().is_empty())
}

fn limit(n: Option<usize>, default: usize) -> Result<usize, Problem> {
    match n.unwrap_or(default) {
        0 => Err(Problem::bad_request("limit must be at least 1")),
        n if n > MAX_LIMIT => Err(Problem::bad_request(format!(
            "limit must be at most {MAX_LIMIT}"
        ))),
        n => Ok(n),
    }
}

/// An article or a text to analyze. Fields as in a JSON Lines record: `body` (or `content`,
/// `text`), and optionally `title`, `id`, `date` (resolves relative dates), `source`, `url`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)] // read through the JSON Lines record parser; described here
pub struct AnalyzeRequest {
    /// Article id.
    id: Option<String>,
    /// Headline.
    title: Option<String>,
    /// Body text.
    body: Option<String>,
    /// Same as `body`.
    text: Option<String>,
    /// Publication date, e.g. 2015-07-21.
    date: Option<String>,
    /// Outlet.
    source: Option<String>,
    /// Address.
    url: Option<String>,
}

/// Options of `POST /v1/analyze`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AnalyzeParams {
    /// Include the token layer (clitic segments, stems).
    tokens: Option<bool>,
}

/// Analyzes an article (`application/json`: an object with `body` and optionally `title`,
/// `id`, `date`, `source`, `url`) or a plain text (`text/plain`, analyzed as it is).
#[utoipa::path(
    post, path = "/v1/analyze", tag = "analysis",
    params(AnalyzeParams),
    request_body(content(
        (AnalyzeRequest = "application/json"),
        (String = "text/plain")
    )),
    responses(
        (status = 200, description = "The khabar.analysis/1 object", body = Object),
        (status = 400, description = "Not an article object", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large")
    )
)]
async fn analyze(
    State(state): State<Arc<AppState>>,
    params: Result<Query<AnalyzeParams>, QueryRejection>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, Problem> {
    let params = query(params)?;
    let plain = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let tokens = params.tokens.unwrap_or(false);
    let json = state
        .analyze(move |pipeline| -> Result<String, Problem> {
            let doc = if plain {
                let mut doc = Document::from_text("", &body);
                pipeline.annotate(&mut doc);
                doc
            } else {
                let article = khabar_ingest::parse_json_record(&body, 1, "request")
                    .map_err(|why| Problem::bad_request(format!("request body: {why}")))?;
                pipeline.analyze(&article)
            };
            // Written as the CLI writes it: fields in contract order, scores as written.
            serde_json::to_string(&doc.to_json(tokens))
                .map_err(|e| Problem::internal(e.to_string()))
        })
        .await??;
    Ok(json_response(json))
}

fn json_response(json: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], json).into_response()
}

/// Search parameters (as `khabar search`).
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Query text; words are ranked by BM25, "quoted text" is a phrase.
    q: Option<String>,
    /// Most hits returned (1–1000, default 10).
    limit: Option<usize>,
    /// Only this outlet.
    source: Option<String>,
    /// Only articles published on or after this day (e.g. 2015-07-21).
    from: Option<String>,
    /// Only articles published on or before this day.
    to: Option<String>,
    /// Only articles mentioning this entity (any spelling).
    entity: Option<String>,
    /// Only articles quoting this speaker (any spelling).
    speaker: Option<String>,
}

impl SearchParams {
    pub(crate) fn request(&self, limit: usize) -> SearchRequest {
        SearchRequest {
            query: self.q.clone().unwrap_or_default(),
            limit,
            source: given(self.source.clone()),
            from: given(self.from.clone()),
            to: given(self.to.clone()),
            entity: given(self.entity.clone()),
            speaker: given(self.speaker.clone()),
            snippet_chars: 0,
        }
    }
}

pub(crate) async fn run_search(
    state: &Arc<AppState>,
    req: SearchRequest,
) -> Result<khabar_corpus::SearchResults, Problem> {
    // A search takes a millisecond or two of CPU: it runs on the worker thread itself, as a
    // hand-off to the blocking pool costs more than it saves (measured with wrk).
    state.searcher().search(&req).map_err(Problem::from)
}

/// Ranked full-text search with filters; hits carry a snippet (matches in `<b>`, the rest
/// HTML-escaped) and their story.
#[utoipa::path(
    get, path = "/v1/search", tag = "corpus", params(SearchParams),
    responses(
        (status = 200, description = "query, took_ms, total, hits", body = Object),
        (status = 400, description = "A bad date or limit", body = Problem, content_type = "application/problem+json")
    )
)]
async fn search(
    State(state): State<Arc<AppState>>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<khabar_corpus::SearchResults>, Problem> {
    let params = query(params)?;
    let req = params.request(limit(params.limit, 10)?);
    Ok(Json(run_search(&state, req).await?))
}

fn path<T>(p: Result<Path<T>, PathRejection>) -> Result<T, Problem> {
    p.map(|Path(t)| t)
        .map_err(|e| Problem::bad_request(e.body_text()))
}

/// Loads an article's stored analysis (JSON text) and its story.
pub(crate) async fn load_article_json(
    state: &Arc<AppState>,
    id: String,
) -> Result<(String, Option<i64>), Problem> {
    let shown = id.clone();
    let found = state
        .with_corpus(move |c| {
            let json = c.analysis_json(&id)?;
            let story = c.story_of(&id)?;
            Ok(json.map(|j| (j, story)))
        })
        .await?;
    found.ok_or_else(|| Problem::not_found(format!("no article with id {shown:?}")))
}

/// Loads an article's stored analysis and its story.
pub(crate) async fn load_article(state: &Arc<AppState>, id: String) -> Result<Value, Problem> {
    let (json, story) = load_article_json(state, id).await?;
    let mut value: Value = serde_json::from_str(&json)
        .map_err(|e| Problem::internal(format!("stored analysis: {e}")))?;
    value["story"] = json!(story);
    Ok(value)
}

/// One stored article: its `khabar.analysis/1` object, plus `story` (its story id or null).
#[utoipa::path(
    get, path = "/v1/articles/{id}", tag = "corpus",
    params(("id" = String, Path, description = "Article id")),
    responses(
        (status = 200, description = "The stored analysis", body = Object),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json")
    )
)]
async fn article(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let (json, story) = load_article_json(&state, path(id)?).await?;
    // The stored object as written, with its story appended.
    let body = match json.trim_end().strip_suffix('}') {
        Some(head) => format!("{head},\"story\":{}}}", json!(story)),
        None => return Err(Problem::internal("stored analysis is not an object")),
    };
    Ok(json_response(body))
}

/// Date range and size filters of the story list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct StoriesParams {
    /// Stories with news on or after this day.
    from: Option<String>,
    /// Stories with news on or before this day.
    to: Option<String>,
    /// Smallest story listed (default 2 articles).
    min_size: Option<usize>,
    /// Most stories listed (1–1000, default 50).
    limit: Option<usize>,
}

/// Stories (one event across outlets), largest first.
#[utoipa::path(
    get, path = "/v1/stories", tag = "corpus", params(StoriesParams),
    responses(
        (status = 200, description = "Stories: id, title, sources, first, last, size, keywords, summary, entities", body = [Object]),
        (status = 400, description = "A bad date or limit", body = Problem, content_type = "application/problem+json")
    )
)]
async fn stories(
    State(state): State<Arc<AppState>>,
    params: Result<Query<StoriesParams>, QueryRejection>,
) -> Result<Json<Vec<khabar_corpus::StoryRecord>>, Problem> {
    let p = query(params)?;
    let req = StoriesRequest {
        from: given(p.from),
        to: given(p.to),
        min_size: p.min_size.unwrap_or(2),
        limit: limit(p.limit, 50)?,
    };
    Ok(Json(state.with_corpus(move |c| c.stories(&req)).await?))
}

/// Loads a story with its articles.
pub(crate) async fn load_story(state: &Arc<AppState>, id: i64) -> Result<Value, Problem> {
    let found = state.with_corpus(move |c| c.story(id)).await?;
    let (record, articles) =
        found.ok_or_else(|| Problem::not_found(format!("no story with id {id}")))?;
    let mut value = serde_json::to_value(record).map_err(|e| Problem::internal(e.to_string()))?;
    value["articles"] =
        serde_json::to_value(articles).map_err(|e| Problem::internal(e.to_string()))?;
    Ok(value)
}

/// One story, its articles by time (`articles`: id, title, source, date, duplicate_of).
#[utoipa::path(
    get, path = "/v1/stories/{id}", tag = "corpus",
    params(("id" = i64, Path, description = "Story id")),
    responses(
        (status = 200, description = "The story", body = Object),
        (status = 400, description = "Not a story id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such story", body = Problem, content_type = "application/problem+json")
    )
)]
async fn story(
    State(state): State<Arc<AppState>>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, Problem> {
    Ok(Json(load_story(&state, path(id)?).await?))
}

/// Filters of the entity list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct EntitiesParams {
    /// PER, LOC, ORG or MISC.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Most entities listed (1–1000, default 50).
    limit: Option<usize>,
}

/// Corpus entities (one per person or body across spellings), most articles first.
#[utoipa::path(
    get, path = "/v1/entities", tag = "corpus", params(EntitiesParams),
    responses(
        (status = 200, description = "Entities: id, name, type, variants, articles, first, last", body = [Object]),
        (status = 400, description = "An unknown type or a bad limit", body = Problem, content_type = "application/problem+json")
    )
)]
async fn entities(
    State(state): State<Arc<AppState>>,
    params: Result<Query<EntitiesParams>, QueryRejection>,
) -> Result<Json<Vec<khabar_corpus::EntityRecord>>, Problem> {
    let p = query(params)?;
    let n = limit(p.limit, 50)?;
    let kind = given(p.kind);
    Ok(Json(
        state
            .with_corpus(move |c| c.entities(kind.as_deref(), n))
            .await?,
    ))
}

/// Loads an entity's profile; a name the corpus does not know is a 404.
pub(crate) async fn load_entity(
    state: &Arc<AppState>,
    name: String,
) -> Result<khabar_corpus::EntityProfile, Problem> {
    let shown = name.clone();
    state
        .with_corpus(move |c| c.entity_profile(&name, 20))
        .await
        .map_err(|p| {
            if p.status == 400 {
                Problem::not_found(format!("no entity named {shown:?} ({})", p.detail))
            } else {
                p
            }
        })
}

/// Everything about one entity: spellings, articles per day, co-occurring entities, what it
/// said and what others said about it, its stories.
#[utoipa::path(
    get, path = "/v1/entities/{id}", tag = "corpus",
    params(("id" = String, Path, description = "Entity id, or a name in any spelling")),
    responses(
        (status = 200, description = "The entity profile", body = Object),
        (status = 404, description = "No such entity", body = Problem, content_type = "application/problem+json")
    )
)]
async fn entity(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<khabar_corpus::EntityProfile>, Problem> {
    Ok(Json(load_entity(&state, path(id)?).await?))
}

/// Who said what about whom.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QuotesParams {
    /// The speaker: a name in any spelling, or an entity id.
    speaker: String,
    /// Only quotations mentioning this entity, or these words.
    about: Option<String>,
    /// Only articles from this day on.
    from: Option<String>,
    /// Only articles up to this day.
    to: Option<String>,
    /// Most quotations returned (1–1000, default 50).
    limit: Option<usize>,
}

/// What a speaker said, newest first, optionally about an entity or words.
#[utoipa::path(
    get, path = "/v1/quotes", tag = "corpus", params(QuotesParams),
    responses(
        (status = 200, description = "speaker, about, total, quotes, took_ms", body = Object),
        (status = 400, description = "No speaker, a bad date or limit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The corpus knows no such speaker", body = Problem, content_type = "application/problem+json")
    )
)]
async fn quotes(
    State(state): State<Arc<AppState>>,
    params: Result<Query<QuotesParams>, QueryRejection>,
) -> Result<Json<khabar_corpus::SaidResults>, Problem> {
    let p = query(params)?;
    let speaker = given(Some(p.speaker))
        .ok_or_else(|| Problem::bad_request("the speaker parameter is empty"))?;
    let req = SaidRequest {
        speaker,
        about: given(p.about),
        from: given(p.from),
        to: given(p.to),
        limit: limit(p.limit, 50)?,
    };
    let unknown = req.speaker.clone();
    state
        .with_corpus(move |c| c.said(&req))
        .await
        .map(Json)
        .map_err(|p| {
            if p.status == 400 && p.detail.contains("no entity") {
                Problem::not_found(format!("no speaker named {unknown:?}"))
            } else {
                p
            }
        })
}

fn authorized(state: &AppState, headers: &HeaderMap) -> Result<(), Problem> {
    use subtle::ConstantTimeEq;
    let Some(key) = &state.api_key else {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "writes are off: start the server with --api-key (or KHABAR_API_KEY)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "send the API key as `Authorization: Bearer KEY`",
            )
        })?;
    if bool::from(given.as_bytes().ct_eq(key.as_bytes())) {
        Ok(())
    } else {
        Err(Problem::new(StatusCode::UNAUTHORIZED, "wrong API key"))
    }
}

/// Indexes articles sent as JSON Lines (one article object per line), as `khabar index`
/// does: bad lines are reported with their line number and skipped, the rest go in; stories
/// are rebuilt. Needs the API key.
#[utoipa::path(
    post, path = "/v1/articles", tag = "corpus",
    request_body(
        description = "One article object per line (JSON Lines): body (or content, text), title, id, date, source, url",
        content((String = "application/x-ndjson"), (String = "text/plain"))
    ),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The indexing report, with `rejections` [{line, reason}]", body = Object),
        (status = 401, description = "No key or a wrong key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Writes are off (no key configured)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large")
    )
)]
async fn add_articles(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: String,
) -> Result<Json<Value>, Problem> {
    authorized(&state, &headers)?;
    let records: Vec<Record> = body
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(
            |(i, line)| match khabar_ingest::parse_json_record(line, i + 1, "request") {
                Ok(a) => Record::Article(a),
                Err(reason) => Record::Rejected(Rejected {
                    file: "request".into(),
                    line: Some(i + 1),
                    reason,
                }),
            },
        )
        .collect();
    let dir_state = state.clone();
    let (report, rejections) = state
        .with_corpus(move |c| {
            let mut rejections = Vec::new();
            let report = khabar_corpus::index_records(
                c,
                records.into_iter(),
                &khabar_corpus::IndexOptions::default(),
                &mut |r: &Rejected| {
                    rejections.push(json!({"line": r.line, "reason": r.reason}));
                },
            )?;
            dir_state.reload_searchers(c.dir())?;
            Ok((report, rejections))
        })
        .await?;
    let mut value = serde_json::to_value(report).map_err(|e| Problem::internal(e.to_string()))?;
    value["rejections"] = Value::Array(rejections);
    Ok(Json(value))
}

/// Liveness: `{"status": "ok", "articles": N}`.
#[utoipa::path(
    get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The server and its corpus answer", body = Object))
)]
async fn healthz(State(state): State<Arc<AppState>>) -> Result<Json<Value>, Problem> {
    let n = state.searcher().num_docs();
    Ok(Json(json!({"status": "ok", "articles": n})))
}

/// Request counts and latencies by route, in the Prometheus text format.
#[utoipa::path(
    get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text exposition", body = String, content_type = "text/plain"))
)]
async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let n = state.searcher().num_docs();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(Some(n)),
    )
        .into_response()
}

/// This document.
#[utoipa::path(
    get, path = "/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object))
)]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// A readable reference of the API, generated from the OpenAPI document.
async fn reference(State(state): State<Arc<AppState>>) -> Result<Html<String>, Problem> {
    let doc =
        serde_json::to_value(ApiDoc::openapi()).map_err(|e| Problem::internal(e.to_string()))?;
    state.pages.render(
        "reference.html",
        minijinja::context! { api => crate::web::ser(&doc) },
    )
}
