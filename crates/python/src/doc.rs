//! `Doc` and the views over it (`Span`, `Token`, `Quote`, `Quantity`, `Keyword`), in the
//! manner of spaCy: one analyzed text, many stand-off layers, char offsets.
//!
//! Every view holds the document (an `Arc`) and an index or a span, so a layer becomes
//! Python objects only when it is read.

use crate::errors::error;
use khabar_analysis::{Document, QuoteKind};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PySlice;
use std::sync::Arc;

/// A value as plain Python objects, exactly as its JSON reads: `json.loads` of the JSON
/// text, so fields keep their order and f32 scores come out as written (0.68, not
/// 0.6800000071525574) — what a user parsing the CLI's output gets.
pub(crate) fn json_to_py<'py, T: serde::Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| error(py, "KhabarError", e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// The f64 nearest to an f32's shortest decimal form.
fn shortest_f64(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

/// An analyzed text: `doc.text`, its sentences, tokens, entities, quotations, quantities,
/// keywords and summary. All offsets are char offsets into `doc.text`, end exclusive.
#[pyclass(module = "khabar", frozen)]
pub struct Doc {
    pub(crate) doc: Arc<Document>,
}

impl Doc {
    pub(crate) fn new(doc: Document) -> Doc {
        Doc { doc: Arc::new(doc) }
    }

    fn span(&self, start: usize, end: usize, label: &str) -> Span {
        Span {
            doc: self.doc.clone(),
            start,
            end,
            label: label.to_string(),
        }
    }

    fn sentence_spans(&self, indices: impl Iterator<Item = usize>) -> Vec<Span> {
        indices
            .filter_map(|i| self.doc.sentences.get(i))
            .map(|s| self.span(s.start, s.end, ""))
            .collect()
    }

    /// Normalizes a Python index (negative from the end) into `0..len`.
    fn index(i: isize, len: usize) -> PyResult<usize> {
        let j = if i < 0 { i + len as isize } else { i };
        if j < 0 || j as usize >= len {
            return Err(PyIndexError::new_err(format!(
                "index {i} out of range for {len} items"
            )));
        }
        Ok(j as usize)
    }
}

#[pymethods]
impl Doc {
    /// The analyzed text (for an article: the headline, a line break, the body).
    #[getter]
    fn text(&self) -> &str {
        &self.doc.text
    }

    /// The article id ("" for a plain text).
    #[getter]
    fn id(&self) -> &str {
        &self.doc.id
    }

    /// The headline ("" for a plain text).
    #[getter]
    fn title(&self) -> &str {
        &self.doc.title
    }

    /// Publication date as given, or None.
    #[getter]
    fn date(&self) -> Option<&str> {
        self.doc.date.as_deref()
    }

    /// Outlet, or None.
    #[getter]
    fn source(&self) -> Option<&str> {
        self.doc.source.as_deref()
    }

    /// Address of the article, or None.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.doc.url.as_deref()
    }

    /// Sentences as spans (the headline is the first sentence of an article).
    #[getter]
    fn sentences(&self) -> Vec<Span> {
        self.sentence_spans(0..self.doc.sentences.len())
    }

    /// Same as `sentences` (spaCy's name).
    #[getter]
    fn sents(&self) -> Vec<Span> {
        self.sentences()
    }

    /// Tokens with their normalized form, clitic segments and stem.
    #[getter]
    fn tokens(&self) -> Vec<Token> {
        (0..self.doc.tokens.len())
            .map(|i| Token {
                doc: self.doc.clone(),
                i,
            })
            .collect()
    }

    /// Named entities as spans; `label_` is PER, LOC, ORG or MISC.
    #[getter]
    fn ents(&self) -> Vec<Span> {
        self.doc
            .entities
            .iter()
            .map(|e| self.span(e.start, e.end, &e.label))
            .collect()
    }

    /// Quotations with cue, content and speaker, in text order.
    #[getter]
    fn quotes(&self) -> Vec<Quote> {
        (0..self.doc.quotes.len())
            .map(|i| Quote {
                doc: self.doc.clone(),
                i,
            })
            .collect()
    }

    /// Numbers, quantities and dates, in text order.
    #[getter]
    fn quantities(&self) -> Vec<Quantity> {
        (0..self.doc.quantities.len())
            .map(|i| Quantity {
                doc: self.doc.clone(),
                i,
            })
            .collect()
    }

    /// Keywords and key phrases, best first.
    #[getter]
    fn keywords(&self) -> Vec<Keyword> {
        self.doc
            .keywords
            .iter()
            .map(|k| Keyword {
                text: k.text.clone(),
                score: k.score,
            })
            .collect()
    }

    /// Coreference chains of persons and bodies, as in the analysis JSON: dicts with
    /// `name`, `label`, `roles` and `mentions` (`start`, `end`, `kind`).
    #[getter]
    fn chains<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.doc.chains)
    }

    /// The extractive summary: its sentences, in text order.
    #[getter]
    fn summary(&self) -> Vec<Span> {
        self.sentence_spans(self.doc.summary.iter().copied())
    }

    /// The span of chars `start..end` (end exclusive), or None when the range is outside
    /// the text or (with `alignment_mode="strict"`) does not fall on token boundaries.
    /// `"contract"` shrinks the range to the tokens inside it, `"expand"` grows it to the
    /// tokens it touches.
    #[pyo3(signature = (start, end, label = "", alignment_mode = "strict"))]
    fn char_span(
        &self,
        start: usize,
        end: usize,
        label: &str,
        alignment_mode: &str,
    ) -> PyResult<Option<Span>> {
        if start > end || end > self.doc.len_chars() {
            return Ok(None);
        }
        let toks = &self.doc.tokens;
        let (a, b) = match alignment_mode {
            "strict" => {
                let starts = toks.iter().any(|t| t.start == start);
                let ends = toks.iter().any(|t| t.end == end);
                if start < end && !(starts && ends) {
                    return Ok(None);
                }
                (start, end)
            }
            "contract" => {
                let inside: Vec<_> = toks
                    .iter()
                    .filter(|t| t.start >= start && t.end <= end)
                    .collect();
                match (inside.first(), inside.last()) {
                    (Some(f), Some(l)) => (f.start, l.end),
                    _ => return Ok(None),
                }
            }
            "expand" => {
                let touched: Vec<_> = toks
                    .iter()
                    .filter(|t| t.end > start && t.start < end)
                    .collect();
                match (touched.first(), touched.last()) {
                    (Some(f), Some(l)) => (f.start.min(start), l.end.max(end)),
                    _ => (start, end),
                }
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "alignment_mode must be \"strict\", \"contract\" or \"expand\", not {other:?}"
                )))
            }
        };
        Ok(Some(self.span(a, b, label)))
    }

    /// The analysis as plain Python objects: the `khabar.analysis/1` contract (the CLI's
    /// JSON), with the token layer when `tokens=True`.
    #[pyo3(signature = (tokens = false))]
    fn to_dict<'py>(&self, py: Python<'py>, tokens: bool) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.doc.to_json(tokens))
    }

    /// The analysis as `khabar.analysis/1` JSON text; `indent` pretty-prints it.
    #[pyo3(signature = (tokens = false, indent = None))]
    fn to_json(&self, py: Python<'_>, tokens: bool, indent: Option<usize>) -> PyResult<String> {
        let json = self.doc.to_json(tokens);
        let out = match indent {
            None => serde_json::to_string(&json),
            Some(0) => serde_json::to_string_pretty(&json),
            Some(n) => {
                let indent = vec![b' '; n];
                let mut buf = Vec::new();
                let fmt = serde_json::ser::PrettyFormatter::with_indent(&indent);
                let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
                serde::Serialize::serialize(&json, &mut ser)
                    .map(|_| String::from_utf8(buf).unwrap_or_default())
            }
        };
        out.map_err(|e| error(py, "KhabarError", e.to_string()))
    }

    /// Number of tokens.
    fn __len__(&self) -> usize {
        self.doc.tokens.len()
    }

    /// `doc[i]` is a token; `doc[i:j]` the span of tokens i to j.
    fn __getitem__<'py>(&self, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = key.py();
        let n = self.doc.tokens.len();
        if let Ok(slice) = key.cast::<PySlice>() {
            let ix = slice.indices(n as isize)?;
            if ix.step != 1 {
                return Err(PyValueError::new_err(
                    "a span is contiguous: step must be 1",
                ));
            }
            let (a, b) = (ix.start as usize, (ix.stop as usize).max(ix.start as usize));
            let (start, end) = if a >= b {
                let at = self
                    .doc
                    .tokens
                    .get(a)
                    .map_or(self.doc.len_chars(), |t| t.start);
                (at, at)
            } else {
                (self.doc.tokens[a].start, self.doc.tokens[b - 1].end)
            };
            return Ok(Bound::new(py, self.span(start, end, ""))?.into_any());
        }
        if let Ok(i) = key.extract::<isize>() {
            let i = Self::index(i, n)?;
            return Ok(Bound::new(
                py,
                Token {
                    doc: self.doc.clone(),
                    i,
                },
            )?
            .into_any());
        }
        Err(PyTypeError::new_err(
            "a Doc is indexed by an int or a slice",
        ))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(pyo3::types::PyList::new(py, self.tokens())?
            .as_any()
            .try_iter()?
            .into_any())
    }

    fn __str__(&self) -> &str {
        &self.doc.text
    }

    fn __repr__(&self) -> String {
        format!(
            "<Doc id={:?} chars={} tokens={} ents={} quotes={}>",
            self.doc.id,
            self.doc.len_chars(),
            self.doc.tokens.len(),
            self.doc.entities.len(),
            self.doc.quotes.len()
        )
    }
}

/// A slice of a document's text: an entity, a sentence, a quotation's content...
#[pyclass(module = "khabar", frozen)]
pub struct Span {
    doc: Arc<Document>,
    start: usize,
    end: usize,
    label: String,
}

#[pymethods]
impl Span {
    /// The covered text.
    #[getter]
    fn text(&self) -> &str {
        self.doc.slice(self.start, self.end)
    }

    /// The label: PER, LOC, ORG, MISC for entities; CUE, QUOTE, SPEAKER for quotation
    /// parts; the kind for quantities; "" for sentences.
    #[getter]
    fn label_(&self) -> &str {
        &self.label
    }

    /// First char (in `doc.text`).
    #[getter]
    fn start_char(&self) -> usize {
        self.start
    }

    /// One past the last char.
    #[getter]
    fn end_char(&self) -> usize {
        self.end
    }

    /// Index of the first token inside the span.
    #[getter]
    fn start(&self) -> usize {
        self.token_range().start
    }

    /// One past the index of the last token inside the span.
    #[getter]
    fn end(&self) -> usize {
        self.token_range().end
    }

    /// The tokens inside the span.
    #[getter]
    fn tokens(&self) -> Vec<Token> {
        self.token_range()
            .map(|i| Token {
                doc: self.doc.clone(),
                i,
            })
            .collect()
    }

    /// The sentence the span starts in, or None (a span on the line break after the
    /// headline).
    #[getter]
    fn sent(&self) -> Option<Span> {
        let i = self.doc.sentence_at(self.start)?;
        let s = self.doc.sentences[i];
        Some(Span {
            doc: self.doc.clone(),
            start: s.start,
            end: s.end,
            label: String::new(),
        })
    }

    /// The document.
    #[getter]
    fn doc(&self) -> Doc {
        Doc {
            doc: self.doc.clone(),
        }
    }

    /// `{"text","label","start","end"}`, as in the analysis JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = pyo3::types::PyDict::new(py);
        d.set_item("text", self.text())?;
        d.set_item("label", &self.label)?;
        d.set_item("start", self.start)?;
        d.set_item("end", self.end)?;
        Ok(d.into_any())
    }

    /// Number of tokens.
    fn __len__(&self) -> usize {
        self.token_range().len()
    }

    /// The tokens, one by one.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(pyo3::types::PyList::new(py, self.tokens())?
            .as_any()
            .try_iter()?
            .into_any())
    }

    fn __str__(&self) -> &str {
        self.text()
    }

    fn __repr__(&self) -> String {
        if self.label.is_empty() {
            format!("<Span {}..{} {:?}>", self.start, self.end, self.text())
        } else {
            format!(
                "<Span {}..{} {} {:?}>",
                self.start,
                self.end,
                self.label,
                self.text()
            )
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Span>().is_ok_and(|o| {
            let o = o.get();
            Arc::ptr_eq(&self.doc, &o.doc)
                && (self.start, self.end, &self.label) == (o.start, o.end, &o.label)
        })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            Arc::as_ptr(&self.doc) as usize,
            self.start,
            self.end,
            &self.label,
        )
            .hash(&mut h);
        h.finish()
    }
}

impl Span {
    fn token_range(&self) -> std::ops::Range<usize> {
        self.doc.token_range(khabar_analysis::Span {
            start: self.start,
            end: self.end,
        })
    }
}

/// A token: its text, normalized form, clitic segments (و + ال + ...) and light stem.
#[pyclass(module = "khabar", frozen)]
pub struct Token {
    doc: Arc<Document>,
    i: usize,
}

impl Token {
    fn token(&self) -> &khabar_text::Token {
        &self.doc.tokens[self.i]
    }
}

#[pymethods]
impl Token {
    /// Index of the token in the document.
    #[getter]
    fn i(&self) -> usize {
        self.i
    }

    /// The token as written.
    #[getter]
    fn text(&self) -> &str {
        let t = self.token();
        self.doc.slice(t.start, t.end)
    }

    /// First char (spaCy's `idx`).
    #[getter]
    fn idx(&self) -> usize {
        self.token().start
    }

    /// First char.
    #[getter]
    fn start_char(&self) -> usize {
        self.token().start
    }

    /// One past the last char.
    #[getter]
    fn end_char(&self) -> usize {
        self.token().end
    }

    /// word, latin, number, punct, url, email, hashtag, mention or symbol.
    #[getter]
    fn kind(&self) -> String {
        serde_json::to_value(self.token().kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Normalized form (diacritics and tatweel removed, alef and ya forms unified).
    #[getter]
    fn norm(&self) -> &str {
        &self.token().norm
    }

    /// Same as `norm` (spaCy's name).
    #[getter]
    fn norm_(&self) -> &str {
        &self.token().norm
    }

    /// Clitic segments, normalized: والتدريب → ["و", "ال", "تدريب"].
    #[getter]
    fn segments(&self) -> Vec<&str> {
        self.token()
            .segments
            .iter()
            .map(|s| s.text.as_str())
            .collect()
    }

    /// Light stem of the stem segment.
    #[getter]
    fn stem(&self) -> &str {
        &self.token().stem
    }

    /// Number of chars.
    fn __len__(&self) -> usize {
        let t = self.token();
        t.end - t.start
    }

    fn __str__(&self) -> &str {
        self.text()
    }

    fn __repr__(&self) -> String {
        format!("<Token {} {:?}>", self.i, self.text())
    }
}

/// A quotation: who said what, with the reporting cue.
#[pyclass(module = "khabar", frozen)]
pub struct Quote {
    doc: Arc<Document>,
    i: usize,
}

impl Quote {
    fn quote(&self) -> &khabar_analysis::Quote {
        &self.doc.quotes[self.i]
    }

    fn span(&self, start: usize, end: usize, label: &str) -> Span {
        Span {
            doc: self.doc.clone(),
            start,
            end,
            label: label.into(),
        }
    }
}

#[pymethods]
impl Quote {
    /// "direct" (the speaker's own words, in quotation marks) or "indirect" (قال إن ...).
    #[getter]
    fn kind(&self) -> &'static str {
        match self.quote().kind {
            QuoteKind::Direct => "direct",
            QuoteKind::Indirect => "indirect",
        }
    }

    /// The speaker: the most specific name the article gives.
    #[getter]
    fn speaker(&self) -> &str {
        &self.quote().speaker.text
    }

    /// The speaker's mention next to the quotation (label SPEAKER), or None when the cue
    /// has no subject of its own (وأضاف أن ...).
    #[getter]
    fn speaker_span(&self) -> Option<Span> {
        let m = self.quote().speaker.mention.as_ref()?;
        Some(self.span(m.start, m.end, "SPEAKER"))
    }

    /// The speaker's named entity in `doc.ents`, or None.
    #[getter]
    fn speaker_ent(&self) -> Option<Span> {
        let e = self.doc.entities.get(self.quote().speaker.entity?)?;
        Some(self.span(e.start, e.end, &e.label))
    }

    /// The speaker's role or title as the article gives it ("وزير الخارجية"), or None.
    #[getter]
    fn role(&self) -> Option<&str> {
        self.quote().speaker.role.as_deref()
    }

    /// Index into `doc.chains` of the speaker's coreference chain, or None.
    #[getter]
    fn chain(&self) -> Option<usize> {
        self.quote().speaker.chain
    }

    /// The reporting cue (label CUE): قال، أكد، بحسب ...
    #[getter]
    fn cue(&self) -> Span {
        let c = &self.quote().cue;
        self.span(c.start, c.end, "CUE")
    }

    /// What was said (label QUOTE).
    #[getter]
    fn content(&self) -> Span {
        let c = &self.quote().content;
        self.span(c.start, c.end, "QUOTE")
    }

    /// The quotation as in the analysis JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, self.quote())
    }

    fn __repr__(&self) -> String {
        let q = self.quote();
        let content: String = q.content.text.chars().take(60).collect();
        format!(
            "<Quote {} {:?}: {:?}>",
            self.kind(),
            q.speaker.text,
            content
        )
    }
}

/// A number, quantity or date: its text, kind, value and unit.
#[pyclass(module = "khabar", frozen)]
pub struct Quantity {
    doc: Arc<Document>,
    i: usize,
}

impl Quantity {
    fn quantity(&self) -> &khabar_analysis::Quantity {
        &self.doc.quantities[self.i]
    }
}

#[pymethods]
impl Quantity {
    /// The covered text.
    #[getter]
    fn text(&self) -> &str {
        &self.quantity().text
    }

    /// number, ordinal, percent, money, age, duration, year, date or count.
    #[getter]
    fn kind(&self) -> &str {
        &self.quantity().kind
    }

    /// Same as `kind`.
    #[getter]
    fn label_(&self) -> &str {
        &self.quantity().kind
    }

    /// The value: an int or float, or an ISO-8601 string for dates.
    #[getter]
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.quantity().value)
    }

    /// Unit: a currency code (SAR, USD ...), a time unit, or None.
    #[getter]
    fn unit(&self) -> Option<&str> {
        self.quantity().unit.as_deref()
    }

    /// True for approximate figures (نحو، قرابة، عشرات).
    #[getter]
    fn approx(&self) -> bool {
        self.quantity().approx.unwrap_or(false)
    }

    /// First char.
    #[getter]
    fn start_char(&self) -> usize {
        self.quantity().start
    }

    /// One past the last char.
    #[getter]
    fn end_char(&self) -> usize {
        self.quantity().end
    }

    /// The quantity as in the analysis JSON.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, self.quantity())
    }

    fn __repr__(&self) -> String {
        let q = self.quantity();
        format!("<Quantity {} {:?} = {}>", q.kind, q.text, q.value)
    }
}

/// A keyword or key phrase with its score (the best scores 1.0).
#[pyclass(module = "khabar", frozen)]
pub struct Keyword {
    text: String,
    score: f32,
}

#[pymethods]
impl Keyword {
    /// The words.
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }

    /// Score in (0, 1], as the JSON writes it (0.68, not 0.6800000071525574).
    #[getter]
    fn score(&self) -> f64 {
        shortest_f64(self.score)
    }

    fn __str__(&self) -> &str {
        &self.text
    }

    fn __repr__(&self) -> String {
        format!("<Keyword {:?} {:.3}>", self.text, self.score)
    }
}
