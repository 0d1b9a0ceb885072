//! # khabar-analysis
//!
//! The analysis document: one text, many stand-off annotation layers over it (in the spirit of
//! spaCy's `Doc`), and its JSON contract `khabar.analysis/1`.
//!
//! Every offset is a Unicode scalar (char) index into [`Document::text`], end exclusive.
//! `text` is the headline, a line break, then the body.
//!
//! ```
//! use khabar_analysis::Document;
//! use khabar_ingest::Article;
//! let article = Article { id: "a1".into(), title: "عنوان قصير".into(), body: "قال الوزير إن الاجتماع انتهى. ثم غادر.".into(), ..Default::default() };
//! let doc = Document::from_article(&article);
//! assert_eq!(doc.sentences.len(), 3); // the headline and two body sentences
//! assert_eq!(doc.slice(doc.sentences[0].start, doc.sentences[0].end), "عنوان قصير");
//! ```

use khabar_ingest::Article;
use khabar_text::{SegmentKind, TextAnalyzer, Token};
use serde::{Deserialize, Serialize};

/// Name and version of the JSON contract.
pub const SCHEMA: &str = "khabar.analysis/1";

/// A span of chars in the document text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// A span with its text, as quotations and cues are reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSpan {
    /// The covered text.
    pub text: String,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// A named entity: `{"text","label","start","end"}`; label is PER, LOC, ORG or MISC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// The entity's text as it stands in `text`.
    pub text: String,
    /// PER, LOC, ORG or MISC.
    pub label: String,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

/// Direct (quoted words) or indirect (reported speech).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// «...», "..." — the speaker's own words.
    Direct,
    /// قال إن ... — reported speech.
    Indirect,
}

/// Who a quotation is attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The most specific name the article gives for the speaker.
    pub text: String,
    /// The mention next to this quotation, if there is one (none for "وأضاف أن …").
    pub mention: Option<TextSpan>,
    /// Index into `entities` of the speaker's entity, if any.
    pub entity: Option<usize>,
    /// The speaker's role or title as the article gives it ("وزير الخارجية"), beside the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Index into `chains` of the speaker's coreference chain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<usize>,
}

/// A quotation with its cue, content and speaker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Direct or indirect.
    pub kind: QuoteKind,
    /// The reporting cue (قال، أكد، بحسب ...).
    pub cue: TextSpan,
    /// What was said.
    pub content: TextSpan,
    /// Who said it.
    pub speaker: Speaker,
}

/// What a mention in a coreference chain is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MentionKind {
    /// The name (its fullest form in the article, or as full as the chain's name).
    Name,
    /// A shorter form: a surname alone, "الوزارة" for "وزارة الصحة".
    Short,
    /// A title or description standing alone for the chain ("الوزير").
    Title,
    /// A role tied to the name by apposition ("وزير الخارجية" in "وزير الخارجية عادل الجبير").
    Role,
    /// A subject-less verb or a pronoun ("وأضاف").
    Pronoun,
}

/// One mention of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// name, short, title, role or pronoun.
    pub kind: MentionKind,
}

/// The mentions of one person or body in the article (in-document coreference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    /// Canonical name: the fullest proper name the article gives.
    pub name: String,
    /// PER or ORG.
    pub label: String,
    /// Roles the article gives (by apposition), in text order.
    pub roles: Vec<String>,
    /// Mentions in text order.
    pub mentions: Vec<Mention>,
}

/// A number, quantity or date found in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// The covered text.
    pub text: String,
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// number, ordinal, percent, money, age, duration, year, date or count.
    pub kind: String,
    /// The value: a number, or an ISO-8601 date string for resolved dates.
    pub value: serde_json::Value,
    /// Unit (currency code, time unit ...).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unit: Option<String>,
    /// True for approximate figures (نحو، قرابة، عشرات).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub approx: Option<bool>,
}

/// A keyword or key phrase of the article, scored relative to the best one (1.0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyword {
    /// The words as they stand in the text (proclitics other than ال removed).
    pub text: String,
    /// Score in (0, 1]; the first keyword scores 1.
    pub score: f32,
}

/// One analyzed article: the text and its annotation layers.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Article id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Publication date as given by the source.
    pub date: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// Address of the article.
    pub url: Option<String>,
    /// `title + "\n" + body`; all offsets index into this.
    pub text: String,
    /// Sentence spans.
    pub sentences: Vec<Span>,
    /// Tokens with clitic segments (always computed; serialized only on request).
    pub tokens: Vec<Token>,
    /// Named entities, in text order.
    pub entities: Vec<Entity>,
    /// Coreference chains of persons and bodies.
    pub chains: Vec<Chain>,
    /// Quotations, in text order.
    pub quotes: Vec<Quote>,
    /// Numbers, quantities and dates, in text order.
    pub quantities: Vec<Quantity>,
    /// Keywords and key phrases, best first.
    pub keywords: Vec<Keyword>,
    /// Indices into `sentences` of an extractive summary, in text order.
    pub summary: Vec<usize>,
    /// Byte offset of each char, plus the text length, for slicing by char offsets.
    char_bytes: Vec<u32>,
}

impl Document {
    /// Builds the text layers (sentences, tokens) of an article with the shared analyzer.
    pub fn from_article(article: &Article) -> Document {
        Self::with_analyzer(article, TextAnalyzer::shared())
    }

    /// Builds the text layers with a given analyzer.
    pub fn with_analyzer(article: &Article, analyzer: &TextAnalyzer) -> Document {
        let title = article.title.trim();
        let body = article.body.trim();
        let mut text = String::with_capacity(title.len() + body.len() + 1);
        text.push_str(title);
        if !body.is_empty() {
            text.push('\n');
            text.push_str(body);
        }
        let mut doc = Self::build(&article.id, title, text, analyzer);
        doc.date = article.date.clone();
        doc.source = article.source.clone();
        doc.url = article.url.clone();
        doc
    }

    /// Builds the text layers of a text taken as it is: no headline, nothing trimmed, so
    /// offsets index the caller's own string (`nlp(text)` in the Python package).
    ///
    /// ```
    /// let doc = khabar_analysis::Document::from_text("t", "  قال الوزير إن الاجتماع انتهى.");
    /// assert_eq!(doc.text, "  قال الوزير إن الاجتماع انتهى.");
    /// assert_eq!(doc.slice(2, 5), "قال");
    /// ```
    pub fn from_text(id: &str, text: &str) -> Document {
        Self::build(id, "", text.to_string(), TextAnalyzer::shared())
    }

    fn build(id: &str, title: &str, text: String, analyzer: &TextAnalyzer) -> Document {
        let (tokens, sentences) = analyzer.analyze(&text);
        let mut char_bytes: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
        char_bytes.push(text.len() as u32);
        Document {
            id: id.to_string(),
            title: title.to_string(),
            date: None,
            source: None,
            url: None,
            text,
            sentences: sentences
                .into_iter()
                .map(|s| Span {
                    start: s.start,
                    end: s.end,
                })
                .collect(),
            tokens,
            entities: Vec::new(),
            chains: Vec::new(),
            quotes: Vec::new(),
            quantities: Vec::new(),
            keywords: Vec::new(),
            summary: Vec::new(),
            char_bytes,
        }
    }

    /// Number of chars of `text`.
    pub fn len_chars(&self) -> usize {
        self.char_bytes.len() - 1
    }

    /// The text between two char offsets (clamped to the text).
    pub fn slice(&self, start: usize, end: usize) -> &str {
        let n = self.len_chars();
        let end = end.min(n);
        let start = start.min(end);
        &self.text[self.char_bytes[start] as usize..self.char_bytes[end] as usize]
    }

    /// A [`TextSpan`] of the text between two char offsets.
    pub fn text_span(&self, start: usize, end: usize) -> TextSpan {
        TextSpan {
            text: self.slice(start, end).to_string(),
            start,
            end,
        }
    }

    /// Index of the sentence containing char `pos`.
    pub fn sentence_at(&self, pos: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.end <= pos);
        (i < self.sentences.len() && self.sentences[i].start <= pos).then_some(i)
    }

    /// Indices of the tokens inside `span`.
    pub fn token_range(&self, span: Span) -> std::ops::Range<usize> {
        let a = self.tokens.partition_point(|t| t.start < span.start);
        let b = self.tokens.partition_point(|t| t.start < span.end);
        a..b
    }

    /// The JSON form of the analysis (`khabar.analysis/1`), with or without the token layer.
    pub fn to_json(&self, with_tokens: bool) -> AnalysisJson<'_> {
        AnalysisJson {
            schema: SCHEMA,
            id: &self.id,
            title: &self.title,
            date: self.date.as_deref(),
            source: self.source.as_deref(),
            url: self.url.as_deref(),
            text: &self.text,
            sentences: &self.sentences,
            tokens: with_tokens.then(|| self.tokens.iter().map(TokenJson::from).collect()),
            entities: &self.entities,
            chains: &self.chains,
            quotes: &self.quotes,
            quantities: &self.quantities,
            keywords: &self.keywords,
            summary: &self.summary,
        }
    }
}

/// Serialized form of a [`Document`]; see the README for the field contract.
#[derive(Debug, Serialize)]
pub struct AnalysisJson<'a> {
    /// Always `khabar.analysis/1`.
    pub schema: &'static str,
    /// Article id.
    pub id: &'a str,
    /// Headline.
    pub title: &'a str,
    /// Publication date.
    pub date: Option<&'a str>,
    /// Outlet.
    pub source: Option<&'a str>,
    /// Address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    /// Headline, line break, body.
    pub text: &'a str,
    /// Sentence spans.
    pub sentences: &'a [Span],
    /// Token layer (with `--tokens`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<TokenJson<'a>>>,
    /// Named entities.
    pub entities: &'a [Entity],
    /// Coreference chains (persons and bodies); left out when there are none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub chains: &'a [Chain],
    /// Quotations.
    pub quotes: &'a [Quote],
    /// Quantities.
    pub quantities: &'a [Quantity],
    /// Keywords, best first.
    pub keywords: &'a [Keyword],
    /// Summary sentence indices.
    pub summary: &'a [usize],
}

/// A token in the JSON contract.
#[derive(Debug, Serialize)]
pub struct TokenJson<'a> {
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// word, latin, number, punct, url, email, hashtag, mention or symbol.
    pub kind: khabar_text::TokenKind,
    /// Normalized form.
    pub norm: &'a str,
    /// Clitic segments, normalized: `["و","ال","تدريب"]`.
    pub segments: Vec<&'a str>,
    /// Light stem.
    pub stem: &'a str,
}

impl<'a> From<&'a Token> for TokenJson<'a> {
    fn from(t: &'a Token) -> Self {
        TokenJson {
            start: t.start,
            end: t.end,
            kind: t.kind,
            norm: &t.norm,
            segments: t.segments.iter().map(|s| s.text.as_str()).collect(),
            stem: &t.stem,
        }
    }
}

/// Char offset where a token's name part begins: after its proclitics, but keeping the
/// article ال (والعراق → العراق, لقوات → قوات).
pub fn name_start(token: &Token) -> usize {
    token
        .segments
        .iter()
        .find(|s| s.kind != SegmentKind::Proclitic || s.text == "ال")
        .map_or(token.start, |s| s.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(title: &str, body: &str) -> Article {
        Article {
            id: "t1".into(),
            title: title.into(),
            body: body.into(),
            date: Some("2024-03-01".into()),
            source: Some("khabar-test".into()),
            url: None,
        }
    }

    #[test]
    fn text_is_title_newline_body_and_offsets_are_chars() {
        let doc = Document::from_article(&article("  عنوان  ", "وصلَ الوفد. ثم بدأ."));
        assert_eq!(doc.text, "عنوان\nوصلَ الوفد. ثم بدأ.");
        assert_eq!(doc.sentences.len(), 3);
        let s = doc.sentences[1];
        assert_eq!(doc.slice(s.start, s.end), "وصلَ الوفد.");
        assert_eq!(doc.sentence_at(s.start), Some(1));
        assert_eq!(doc.sentence_at(5), None); // the newline
        let r = doc.token_range(Span {
            start: s.start,
            end: s.end,
        });
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn name_start_skips_proclitics_but_keeps_the_article() {
        let doc = Document::from_article(&article("والعراق لقوات", ""));
        assert_eq!(
            doc.slice(name_start(&doc.tokens[0]), doc.tokens[0].end),
            "العراق"
        );
        assert_eq!(
            doc.slice(name_start(&doc.tokens[1]), doc.tokens[1].end),
            "قوات"
        );
    }

    #[test]
    fn json_contract_shape() {
        let doc = Document::from_article(&article("خبر", "والتدريب مستمر."));
        let v = serde_json::to_value(doc.to_json(true)).unwrap();
        insta::assert_json_snapshot!(v);
        let v = serde_json::to_value(doc.to_json(false)).unwrap();
        assert!(v.get("tokens").is_none());
        assert_eq!(v["schema"], SCHEMA);
    }

    #[test]
    fn empty_article() {
        let doc = Document::from_article(&article("", ""));
        assert_eq!(doc.text, "");
        assert!(doc.sentences.is_empty() && doc.tokens.is_empty());
        assert_eq!(doc.slice(0, 10), "");
    }
}
