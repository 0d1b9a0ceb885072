//! The web page: Arabic, right to left, server-rendered (no build step, no script needed).
//!
//! Templates (minijinja, `templates/`) escape every value; the only HTML that is not
//! escaped there is built here ([`highlight`]) from escaped pieces, or comes from the
//! search snippets, which the corpus escapes itself.

use crate::api::{load_article, load_entity, load_story, run_search, SearchParams};
use crate::problem::Problem;
use crate::AppState;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use khabar_analysis::Document;
use minijinja::{context, Environment, Value as Jv};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("analysis.html", include_str!("../templates/analysis.html")),
    ("story.html", include_str!("../templates/story.html")),
    ("entity.html", include_str!("../templates/entity.html")),
    ("analyze.html", include_str!("../templates/analyze.html")),
    ("error.html", include_str!("../templates/error.html")),
    (
        "reference.html",
        include_str!("../templates/reference.html"),
    ),
];
const CSS: &str = include_str!("../templates/khabar.css");

/// Hits counted for the facet counts of the search page.
const FACET_HITS: usize = 1000;

/// The compiled templates.
pub struct Pages {
    env: Environment<'static>,
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

impl Pages {
    /// Loads the templates built into the binary.
    pub fn new() -> Pages {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // The templates are part of the binary and tested; a broken one is a bug.
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        env.add_filter("path", |s: String| {
            utf8_percent_encode(&s, NON_ALPHANUMERIC).to_string()
        });
        env.add_filter("day", |s: Option<String>| {
            s.map(|d| d.chars().take(10).collect::<String>())
                .unwrap_or_default()
        });
        Pages { env }
    }

    /// Renders a page.
    pub fn render(&self, name: &str, ctx: Jv) -> Result<Html<String>, Problem> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map(Html)
            .map_err(|e| Problem::internal(format!("page {name}: {e}")))
    }

    /// A problem as an HTML page with its status.
    fn error_page(&self, p: &Problem) -> Response {
        let body = self
            .render(
                "error.html",
                context! { status => p.status, title => p.title.clone(), detail => p.detail.clone() },
            )
            .map(|h| h.0)
            .unwrap_or_else(|_| p.detail.clone());
        (p.status_code(), Html(body)).into_response()
    }
}

/// The routes of the web page.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(search_page))
        .route("/articles/{id}", get(article_page))
        .route("/stories/{id}", get(story_page))
        .route("/entities/{id}", get(entity_page))
        .route("/analyze", get(analyze_form).post(analyze_page))
        .route("/static/khabar.css", get(css))
        .fallback(not_found)
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn not_found(State(state): State<Arc<AppState>>, uri: axum::http::Uri) -> Response {
    let p = Problem::not_found(format!("nothing at {}", uri.path()));
    if uri.path().starts_with("/v1/") {
        p.into_response()
    } else {
        state.pages.error_page(&p)
    }
}

fn page(state: &AppState, result: Result<Html<String>, Problem>) -> Response {
    match result {
        Ok(html) => html.into_response(),
        Err(p) => state.pages.error_page(&p),
    }
}

async fn search_page(
    State(state): State<Arc<AppState>>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(params) = params.map_err(|e| Problem::bad_request(e.body_text()))?;
        let req = params.request(20);
        let searched = !(req.query.trim().is_empty()
            && req.source.is_none()
            && req.from.is_none()
            && req.to.is_none()
            && req.entity.is_none()
            && req.speaker.is_none());
        let (results, facets) = if searched {
            let results = run_search(&state, req.clone()).await?;
            // Facet counts: outlets among the best hits (at most FACET_HITS), each a link
            // that narrows the search.
            let mut wide = req.clone();
            wide.limit = FACET_HITS;
            wide.source = None;
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for hit in run_search(&state, wide).await?.hits {
                *counts.entry(hit.source.unwrap_or_default()).or_default() += 1;
            }
            let mut facets: Vec<(String, u64)> = counts.into_iter().collect();
            facets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (Some(results), facets)
        } else {
            (None, Vec::new())
        };
        let sources = state.with_corpus(|c| khabar_corpus::sources(c)).await?;
        state.pages.render(
            "search.html",
            context! {
                q => req.query, source => req.source, from => req.from, to => req.to,
                entity => req.entity, speaker => req.speaker,
                results => ser(&results), facets => facets, sources => ser(&sources),
                facet_hits => FACET_HITS,
            },
        )
    }
    .await;
    page(&state, result)
}

async fn article_page(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let result = async {
        let Path(id) = id.map_err(|e| Problem::bad_request(e.body_text()))?;
        let analysis = load_article(&state, id).await?;
        let view = analysis_view(&analysis);
        state.pages.render(
            "article.html",
            context! { a => ser(&analysis), view => view },
        )
    }
    .await;
    page(&state, result)
}

async fn story_page(
    State(state): State<Arc<AppState>>,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    let result = async {
        let Path(id) = id.map_err(|e| Problem::bad_request(e.body_text()))?;
        let story = load_story(&state, id).await?;
        let timeline = timeline(&story);
        state.pages.render(
            "story.html",
            context! { s => ser(&story), timeline => timeline },
        )
    }
    .await;
    page(&state, result)
}

async fn entity_page(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let result = async {
        let Path(id) = id.map_err(|e| Problem::bad_request(e.body_text()))?;
        let profile = load_entity(&state, id).await?;
        let chart = day_chart(&profile.days);
        state.pages.render(
            "entity.html",
            context! { e => ser(&profile), chart => chart },
        )
    }
    .await;
    page(&state, result)
}

async fn analyze_form(State(state): State<Arc<AppState>>) -> Response {
    page(
        &state,
        state
            .pages
            .render("analyze.html", context! { title => "", text => "" }),
    )
}

/// The form of the analyze page.
#[derive(Debug, Deserialize)]
pub struct AnalyzeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

async fn analyze_page(
    State(state): State<Arc<AppState>>,
    form: Result<Form<AnalyzeForm>, FormRejection>,
) -> Response {
    let result = async {
        let Form(form) = form.map_err(|e| Problem::bad_request(e.body_text()))?;
        if form.text.trim().is_empty() && form.title.trim().is_empty() {
            return Err(Problem::bad_request("paste an article's text first"));
        }
        let (title, text) = (form.title.clone(), form.text.clone());
        let analysis = state
            .analyze(move |pipeline| {
                let article = khabar_ingest::Article {
                    id: "pasted".into(),
                    title,
                    body: text,
                    ..Default::default()
                };
                let doc: Document = pipeline.analyze(&article);
                serde_json::to_value(doc.to_json(false))
            })
            .await?
            .map_err(|e| Problem::internal(e.to_string()))?;
        let view = analysis_view(&analysis);
        state.pages.render(
            "analyze.html",
            context! { title => form.title, text => form.text, a => ser(&analysis), view => view },
        )
    }
    .await;
    page(&state, result)
}

/// A serializable value for a template.
pub(crate) fn ser<T: serde::Serialize>(value: &T) -> Jv {
    Jv::from(minijinja::value::Serde(value))
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The body of an analysis as HTML paragraphs: entities as links coloured by type,
/// quotation contents marked. Every piece of text is escaped; spans that overlap an
/// earlier one are skipped.
pub fn highlight(analysis: &Value) -> String {
    let text = analysis["text"].as_str().unwrap_or_default();
    let chars: Vec<char> = text.chars().collect();
    let title_chars = analysis["title"].as_str().map_or(0, |t| t.chars().count());
    let body_start = if title_chars > 0 { title_chars + 1 } else { 0 };
    // (start, end, open tag, close tag)
    let mut marks: Vec<(usize, usize, String, &str)> = Vec::new();
    for q in analysis["quotes"].as_array().into_iter().flatten() {
        let (Some(s), Some(e)) = (q["content"]["start"].as_u64(), q["content"]["end"].as_u64())
        else {
            continue;
        };
        marks.push((s as usize, e as usize, "<q class=\"said\">".into(), "</q>"));
    }
    let mut ents: Vec<(usize, usize, String, &str)> = Vec::new();
    for e in analysis["entities"].as_array().into_iter().flatten() {
        let (Some(s), Some(en)) = (e["start"].as_u64(), e["end"].as_u64()) else {
            continue;
        };
        let label = e["label"].as_str().unwrap_or("MISC");
        let name = e["text"].as_str().unwrap_or_default();
        ents.push((
            s as usize,
            en as usize,
            format!(
                "<a class=\"ent ent-{}\" href=\"/entities/{}\" title=\"{}\"><bdi>",
                escape(&label.to_lowercase()),
                utf8_percent_encode(name, NON_ALPHANUMERIC),
                escape(label)
            ),
            "</bdi></a>",
        ));
    }
    // Events at each char: entity tags nest inside quotation tags when they fit.
    let mut opens: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut closes: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    let add = |spans: Vec<(usize, usize, String, &'static str)>,
               opens: &mut BTreeMap<usize, Vec<String>>,
               closes: &mut BTreeMap<usize, Vec<&'static str>>,
               within: &[(usize, usize)]| {
        let mut last_end = 0;
        let mut kept = Vec::new();
        let mut sorted = spans;
        sorted.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
        for (s, e, open, close) in sorted {
            let crosses = within
                .iter()
                .any(|&(a, b)| (s < a && e > a) || (s < b && e > b));
            let crosses_line = chars[s.min(chars.len())..e.min(chars.len())].contains(&'\n');
            if s < body_start
                || s < last_end
                || e <= s
                || e > chars.len()
                || crosses
                || crosses_line
            {
                continue;
            }
            last_end = e;
            opens.entry(s).or_default().push(open);
            closes.entry(e).or_default().push(close);
            kept.push((s, e));
        }
        kept
    };
    let kept_quotes = add(marks, &mut opens, &mut closes, &[]);
    add(ents, &mut opens, &mut closes, &kept_quotes);
    let mut out = String::from("<p>");
    let mut buf = [0u8; 4];
    for (i, &c) in chars.iter().enumerate().skip(body_start) {
        if let Some(cs) = closes.get(&i) {
            for c in cs.iter().rev() {
                out.push_str(c);
            }
        }
        if c == '\n' {
            out.push_str("</p>\n<p>");
        }
        if let Some(os) = opens.get(&i) {
            for o in os {
                out.push_str(o);
            }
        }
        if c != '\n' {
            out.push_str(&escape(c.encode_utf8(&mut buf)));
        }
    }
    if let Some(cs) = closes.get(&chars.len()) {
        for c in cs.iter().rev() {
            out.push_str(c);
        }
    }
    out.push_str("</p>");
    out
}

/// What the article and analyze pages show besides the stored fields.
fn analysis_view(analysis: &Value) -> Jv {
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in analysis["entities"].as_array().into_iter().flatten() {
        let label = e["label"].as_str().unwrap_or("MISC").to_string();
        let name = e["text"].as_str().unwrap_or_default().to_string();
        let names = by_type.entry(label).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let summary: Vec<String> = analysis["summary"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let s = &analysis["sentences"][i.as_u64()? as usize];
            let text = analysis["text"].as_str()?;
            let (a, b) = (s["start"].as_u64()? as usize, s["end"].as_u64()? as usize);
            Some(text.chars().skip(a).take(b.saturating_sub(a)).collect())
        })
        .collect();
    context! {
        body => Jv::from_safe_string(highlight(analysis)),
        entities => by_type,
        summary => summary,
    }
}

/// Rows of the story timeline: each outlet with its articles placed on a 0–100 scale
/// between the story's first and last article.
fn timeline(story: &Value) -> Jv {
    let articles = story["articles"].as_array().cloned().unwrap_or_default();
    let times: Vec<Option<i64>> = articles
        .iter()
        .map(|a| a["date"].as_str().and_then(minutes))
        .collect();
    let lo = times.iter().flatten().min().copied().unwrap_or(0);
    let hi = times.iter().flatten().max().copied().unwrap_or(0);
    let mut rows: BTreeMap<String, Vec<Jv>> = BTreeMap::new();
    for (a, t) in articles.iter().zip(&times) {
        let source = a["source"].as_str().unwrap_or("—").to_string();
        let x = match (t, hi > lo) {
            (Some(t), true) => (t - lo) as f64 * 100.0 / (hi - lo) as f64,
            _ => 0.0,
        };
        rows.entry(source).or_default().push(context! {
            x => (x * 10.0).round() / 10.0,
            id => a["id"].as_str().unwrap_or_default(),
            title => a["title"].as_str().unwrap_or_default(),
            date => a["date"].as_str().unwrap_or_default(),
        });
    }
    let rows: Vec<Jv> = rows
        .into_iter()
        .map(|(source, points)| context! { source => source, points => points })
        .collect();
    Jv::from(rows)
}

/// Minutes since 2000 of `YYYY-MM-DD[THH:MM]`, for placing articles in time.
fn minutes(date: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<i64>().ok());
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let days = (y - 2000) * 366 + (m - 1) * 31 + d;
    Some(days * 1440 + n(11..13).unwrap_or(0) * 60 + n(14..16).unwrap_or(0))
}

/// Bars of the mentions-per-day chart: height 0–100 relative to the busiest day.
fn day_chart(days: &[khabar_corpus::entities::DayCount]) -> Jv {
    let max = days.iter().map(|d| d.articles).max().unwrap_or(0).max(1);
    let bars: Vec<Jv> = days
        .iter()
        .map(|d| {
            context! {
                day => d.day.clone(), articles => d.articles,
                h => (d.articles as f64 * 100.0 / max as f64).max(2.0).round(),
            }
        })
        .collect();
    Jv::from(bars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_escaped_and_entities_are_links() {
        let a = json!({
            "title": "<script>alert(1)</script>",
            "text": "<script>alert(1)</script>\nقال أحمد <b>علي</b> إن «الأمر انتهى».",
            "entities": [{"text": "أحمد", "label": "PER", "start": 30, "end": 34}],
            "quotes": [{"content": {"start": 48, "end": 61}}],
        });
        let html = highlight(&a);
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;علي&lt;/b&gt;"), "{html}");
        assert!(
            html.contains("<a class=\"ent ent-per\" href=\"/entities/%D8%A3%D8%AD%D9%85%D8%AF\" title=\"PER\"><bdi>أحمد</bdi></a>"),
            "{html}"
        );
        assert!(html.contains("<q class=\"said\">"), "{html}");
    }

    #[test]
    fn overlapping_and_out_of_range_spans_are_skipped() {
        let a = json!({
            "title": "",
            "text": "سطر أول\nسطر ثان",
            "entities": [
                {"text": "سطر أول", "label": "LOC", "start": 0, "end": 7},
                {"text": "أول", "label": "LOC", "start": 4, "end": 7},
                {"text": "x", "label": "LOC", "start": 5, "end": 500},
                {"text": "أول\nسطر", "label": "LOC", "start": 4, "end": 11}
            ],
            "quotes": [],
        });
        let html = highlight(&a);
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        assert_eq!(html.matches("<p>").count(), 2, "{html}");
    }
}
