//! Adjustments on running text: rules that run after tagging in `NerModel::entities` only
//! (CoNLL tagging and `khabar eval ner` keep ANERcorp's conventions). One file per
//! adjustment, applied in this order by `NerModel::entities`: [`places`] (names split or
//! cut short, places named after persons), [`spelling`] (`علي` written `على`), `heads`
//! (place heads, `آية الله`), [`org_phrases`] (institution phrases, one type per organization
//! name), [`definite_orgs`] (definite organization names), the well-known places of
//! [`places`], [`surnames`] (bare surnames typed as persons) and [`coordination`] (entities
//! run over `و` split). This module holds the helpers they share (and their test harness).

pub mod coordination;
pub mod definite_orgs;
pub(crate) mod heads;
pub mod org_phrases;
pub mod places;
pub mod spelling;
pub mod surnames;

use crate::decoding::spans::EntitySpan;
#[cfg(test)]
use crate::tags::Label;
use khabar_text::{Token, TokenKind};

/// The first entity of `ents` (sorted by start) that overlaps `start..end`; the scan stops
/// at the first entity that starts after it. With [`skip_ended`], the running-text rules
/// look at a few entities per token instead of all of them (quadratic on long,
/// entity-dense texts).
pub(crate) fn entity_overlapping(
    ents: &[EntitySpan],
    start: usize,
    end: usize,
) -> Option<&EntitySpan> {
    ents.iter()
        .take_while(|e| e.start < end)
        .find(|e| start < e.end)
}

/// The word tokens of entity `e` (tokens are in text order; the entity's first token may
/// begin before it, with the proclitics the span leaves out).
pub(crate) fn entity_words<'a>(
    tokens: &'a [Token],
    e: &EntitySpan,
) -> impl Iterator<Item = &'a Token> {
    let from = tokens.partition_point(|t| t.end <= e.start);
    let end = e.end;
    tokens[from..]
        .iter()
        .take_while(move |t| t.start < end)
        .filter(|t| t.kind == TokenKind::Word)
}

/// The spans of `ents` (sorted by start, disjoint), for [`in_spans`].
pub(crate) fn spans_of(ents: &[EntitySpan]) -> Vec<(usize, usize)> {
    ents.iter().map(|e| (e.start, e.end)).collect()
}

/// Does token `t` overlap one of `spans` (sorted by start, disjoint)? A binary search, so a
/// rule that asks it per entity stays linear-logarithmic in a document's entities.
pub(crate) fn in_spans(spans: &[(usize, usize)], t: &Token) -> bool {
    let i = spans.partition_point(|&(_, e)| e <= t.start);
    spans.get(i).is_some_and(|&(s, _)| s < t.end)
}

/// Advances `first` past the entities of `ents` (sorted by start) that end at or before
/// `pos`; called with non-decreasing `pos`, everything before `first` ends before `pos`.
pub(crate) fn skip_ended(ents: &[EntitySpan], first: &mut usize, pos: usize) {
    while *first < ents.len() && ents[*first].end <= pos {
        *first += 1;
    }
}

/// Test harness of the running-text rules: tokenizes `text`, places the `given` entities
/// (first occurrence of each text), applies `rule` and lists the resulting entities.
#[cfg(test)]
pub(crate) fn run_rule(
    text: &str,
    given: &[(&str, Label)],
    rule: impl FnOnce(&dyn Fn(usize, usize) -> String, &[Token], &mut Vec<EntitySpan>),
) -> Vec<(String, Label)> {
    let tokens = khabar_text::TextAnalyzer::shared().tokenize(text);
    let chars: Vec<char> = text.chars().collect();
    let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
    let mut ents: Vec<EntitySpan> = given
        .iter()
        .map(|(t, l)| {
            let b = text.find(t).unwrap();
            let start = text[..b].chars().count();
            EntitySpan {
                label: *l,
                start,
                end: start + t.chars().count(),
                text: t.to_string(),
            }
        })
        .collect();
    rule(&slice, &tokens, &mut ents);
    ents.into_iter().map(|e| (e.text, e.label)).collect()
}

/// Entities for the running-text rules' property tests: one per `(label, length)` of
/// `marks`, over that many tokens, one token left between runs, in text order; each
/// begins at `start_of` its first token (runs that would be empty are skipped).
#[cfg(test)]
pub(crate) fn entities_on_runs(
    tokens: &[Token],
    marks: &[(usize, usize)],
    slice: &dyn Fn(usize, usize) -> String,
    start_of: impl Fn(&Token) -> usize,
) -> Vec<EntitySpan> {
    let mut ents = Vec::new();
    let mut at = 0;
    for &(label, len) in marks {
        let end = (at + len).min(tokens.len());
        if at >= end {
            break;
        }
        let start = start_of(&tokens[at]);
        let stop = tokens[end - 1].end;
        if start < stop {
            ents.push(EntitySpan {
                label: Label::ALL[label],
                start,
                end: stop,
                text: slice(start, stop),
            });
        }
        at = end + 1;
    }
    ents
}

/// [`run_rule`] for rules that also read each token's text (`surfaces`).
#[cfg(test)]
pub(crate) fn run_rule_with_surfaces(
    text: &str,
    given: &[(&str, Label)],
    rule: impl FnOnce(&dyn Fn(usize, usize) -> String, &[Token], &[&str], &mut Vec<EntitySpan>),
) -> Vec<(String, Label)> {
    run_rule(text, given, |slice, tokens, ents| {
        let surfaces: Vec<String> = tokens.iter().map(|t| slice(t.start, t.end)).collect();
        let surfaces: Vec<&str> = surfaces.iter().map(String::as_str).collect();
        rule(slice, tokens, &surfaces, ents)
    })
}
