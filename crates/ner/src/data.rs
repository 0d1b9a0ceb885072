//! CoNLL-style data: `token TAG` per line, blank line between sentences.

use crate::tags::Tag;
use std::io::BufRead;
use std::path::Path;

/// One labelled sentence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sentence {
    /// Tokens.
    pub tokens: Vec<String>,
    /// Gold tags (same length).
    pub tags: Vec<Tag>,
    /// From an auxiliary corpus with conventions of its own (WikiFANE beside ANERcorp):
    /// training keeps a copy of the features for each corpus (see
    /// `train::TrainOptions::domain_copies`).
    pub aux: bool,
}

/// Reads labelled sentences from a reader. `PERS` is read as `PER`.
pub fn read_conll<R: BufRead>(r: R) -> Result<Vec<Sentence>, String> {
    let mut out = Vec::new();
    let mut cur = Sentence::default();
    for (n, line) in r.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", n + 1))?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            if !cur.tokens.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let (tok, tag) = line
            .rsplit_once([' ', '\t'])
            .ok_or_else(|| format!("line {}: expected `token TAG`", n + 1))?;
        let tag: Tag = tag.parse().map_err(|e| format!("line {}: {e}", n + 1))?;
        cur.tokens.push(tok.trim().to_string());
        cur.tags.push(tag);
    }
    if !cur.tokens.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Reads a labelled file.
pub fn read_conll_file(path: &Path) -> Result<Vec<Sentence>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    read_conll(std::io::BufReader::new(f)).map_err(|e| format!("{}: {e}", path.display()))
}

/// One-letter proclitics WikiFANE writes as tokens of their own (`و`, `ب مصر`).
const PROCLITICS: [&str; 5] = ["و", "ف", "ب", "ل", "ك"];

/// Pronoun suffixes WikiFANE writes as tokens of their own (`عاصمة ها`). `ك` ("your") is
/// left out: alone it is far more often the proclitic "as".
const ENCLITICS: [&str; 8] = ["ه", "ها", "هم", "هما", "هن", "ي", "نا", "ني"];

fn is_arabic_word(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| ('\u{0621}'..='\u{064A}').contains(&c))
}

/// Reads WikiFANE Gold (`token<TAB>FineClass` BIO tags, clitics split into tokens of their
/// own) into sentences tokenized like ANERcorp and like khabar reads running text: a
/// proclitic joins the word after it (`و ب مصر` → `وبمصر`, `ل الحكومة` → `للحكومة`) and a
/// pronoun suffix the word before it (`عاصمة ها` → `عاصمتها`); the whole word takes the
/// word's tag. Fine classes are mapped by `map` (`class<TAB>PER|LOC|ORG|MISC|O`, `#`
/// comments); a class the map does not name is an error. `rejoin: false` keeps WikiFANE's
/// tokens as they are (for comparison).
pub fn read_wikifane<R: BufRead>(r: R, map: &str, rejoin: bool) -> Result<Vec<Sentence>, String> {
    let mut coarse: std::collections::HashMap<&str, Option<crate::tags::Label>> =
        std::collections::HashMap::new();
    for (n, line) in map.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (fine, to) = line
            .split_once('\t')
            .ok_or_else(|| format!("map line {}: expected `class<TAB>type`", n + 1))?;
        let label = match to.trim() {
            "O" => None,
            t => Some(t.parse().map_err(|e| format!("map line {}: {e}", n + 1))?),
        };
        coarse.insert(fine.trim(), label);
    }
    let mut out = Vec::new();
    let mut cur: Vec<(String, Tag)> = Vec::new();
    let mut flush = |cur: &mut Vec<(String, Tag)>| {
        if !cur.is_empty() {
            let tokens = std::mem::take(cur);
            let s = if rejoin {
                rejoin_clitics(tokens)
            } else {
                let (tokens, tags) = tokens.into_iter().unzip();
                Sentence {
                    tokens,
                    tags,
                    aux: false,
                }
            };
            out.push(Sentence { aux: true, ..s });
        }
    };
    for (n, line) in r.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", n + 1))?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            flush(&mut cur);
            continue;
        }
        let (tok, tag) = line
            .rsplit_once('\t')
            .ok_or_else(|| format!("line {}: expected `token<TAB>TAG`", n + 1))?;
        let tag = match tag.trim() {
            "O" => Tag::O,
            t => {
                let (bio, fine) = t
                    .split_once('-')
                    .ok_or_else(|| format!("line {}: bad tag {t:?}", n + 1))?;
                let label = *coarse
                    .get(fine)
                    .ok_or_else(|| format!("line {}: class {fine:?} not in the map", n + 1))?;
                match (bio, label) {
                    (_, None) => Tag::O,
                    ("B", Some(l)) => Tag::B(l),
                    ("I", Some(l)) => Tag::I(l),
                    _ => return Err(format!("line {}: bad tag {t:?}", n + 1)),
                }
            }
        };
        cur.push((tok.trim().to_string(), tag));
    }
    flush(&mut cur);
    // A class mapped to O can leave an I- tag after an O (a `PER.Group` inside a name).
    for s in &mut out {
        let mut prev = Tag::O;
        for t in &mut s.tags {
            if let Tag::I(l) = *t {
                if prev != Tag::B(l) && prev != Tag::I(l) {
                    *t = Tag::B(l);
                }
            }
            prev = *t;
        }
    }
    Ok(out)
}

/// Joins split clitics back onto their words (see [`read_wikifane`]).
fn rejoin_clitics(tokens: Vec<(String, Tag)>) -> Sentence {
    let mut s = Sentence::default();
    // Proclitics waiting for their word, with the tag of the first one.
    let mut pending: Option<(String, Tag)> = None;
    for (tok, tag) in tokens {
        if PROCLITICS.contains(&tok.as_str()) {
            match &mut pending {
                Some((p, _)) => p.push_str(&tok),
                None => pending = Some((tok, tag)),
            }
            continue;
        }
        if let Some((pre, pre_tag)) = pending.take() {
            if is_arabic_word(&tok) {
                let mut word = pre;
                match tok.strip_prefix("ال") {
                    // ل + ال is written لل.
                    Some(rest) if word.ends_with('ل') => {
                        word.push('ل');
                        word.push_str(rest);
                    }
                    _ => word.push_str(&tok),
                }
                let tag = match (pre_tag, tag) {
                    (Tag::B(a), Tag::I(b)) if a == b => pre_tag,
                    _ => tag,
                };
                s.tokens.push(word);
                s.tags.push(tag);
                continue;
            }
            s.tokens.push(pre);
            s.tags.push(pre_tag);
        }
        if ENCLITICS.contains(&tok.as_str()) && s.tokens.last().is_some_and(|w| is_arabic_word(w)) {
            let last = s.tokens.last_mut().expect("checked above");
            if last.ends_with('ة') {
                last.pop();
                last.push('ت');
            }
            last.push_str(&tok);
            continue;
        }
        s.tokens.push(tok);
        s.tags.push(tag);
    }
    if let Some((pre, pre_tag)) = pending {
        s.tokens.push(pre);
        s.tags.push(pre_tag);
    }
    s
}

/// Splits sentences into (train, dev), the dev part being the last `dev_fraction`.
pub fn split_dev(mut all: Vec<Sentence>, dev_fraction: f64) -> (Vec<Sentence>, Vec<Sentence>) {
    let n_dev = ((all.len() as f64) * dev_fraction).round() as usize;
    let dev = all.split_off(all.len() - n_dev.min(all.len()));
    (all, dev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::Label;

    #[test]
    fn reads_sentences() {
        let text = "زار O\nمحمد B-PERS\nعمان B-LOC\n\n\nقال O\n";
        let s = read_conll(text.as_bytes()).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tags[1], Tag::B(Label::Per));
        assert_eq!(s[1].tokens, vec!["قال"]);
        assert!(read_conll("x FOO\n".as_bytes()).is_err());
    }

    const MAP: &str = "# comment\nNation\tLOC\nPolitician\tPER\nGroup\tO\nGovernment\tORG\n";

    fn wiki(text: &str) -> Vec<Sentence> {
        read_wikifane(text.as_bytes(), MAP, true).unwrap()
    }

    #[test]
    fn wikifane_clitics_rejoin_into_words() {
        let s =
            wiki("و\tO\nب\tO\nمصر\tB-Nation\nعاصمة\tO\nها\tO\nل\tO\nالحكومة\tB-Government\n.\tO\n");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].tokens, vec!["وبمصر", "عاصمتها", "للحكومة", "."]);
        assert_eq!(
            s[0].tags,
            vec![Tag::B(Label::Loc), Tag::O, Tag::B(Label::Org), Tag::O]
        );
    }

    #[test]
    fn wikifane_tokens_kept_as_they_are_without_rejoin() {
        let s = read_wikifane("و\tO\nمصر\tB-Nation\n".as_bytes(), MAP, false).unwrap();
        assert_eq!(s[0].tokens, vec!["و", "مصر"]);
        assert!(s[0].aux);
    }

    #[test]
    fn wikifane_conjunction_inside_a_name_stays_inside() {
        let s = wiki("البوسنة\tB-Nation\nو\tI-Nation\nالهرسك\tI-Nation\n");
        assert_eq!(s[0].tokens, vec!["البوسنة", "والهرسك"]);
        assert_eq!(s[0].tags, vec![Tag::B(Label::Loc), Tag::I(Label::Loc)]);
    }

    #[test]
    fn wikifane_clitic_before_punctuation_or_at_the_end_stays_alone() {
        let s = wiki("و\tO\n،\tO\nقال\tO\nو\tO\n");
        assert_eq!(s[0].tokens, vec!["و", "،", "قال", "و"]);
        // A pronoun suffix with no word before it stays a token.
        let s = wiki("ها\tO\nهنا\tO\n");
        assert_eq!(s[0].tokens, vec!["ها", "هنا"]);
    }

    #[test]
    fn wikifane_classes_mapped_to_o_leave_well_formed_bio() {
        // PER.Group maps to O; the I- after it must start an entity.
        let s = wiki("العرب\tB-Group\nمصر\tI-Nation\n");
        assert_eq!(s[0].tags, vec![Tag::O, Tag::B(Label::Loc)]);
    }

    #[test]
    fn wikifane_errors_name_the_line() {
        let e =
            read_wikifane("مصر\tB-Nation\nقمر\tB-Celestial\n".as_bytes(), MAP, true).unwrap_err();
        assert!(e.contains("line 2") && e.contains("Celestial"), "{e}");
        let e = read_wikifane("مصر B-Nation\n".as_bytes(), MAP, true).unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        assert!(read_wikifane("".as_bytes(), "Nation\tPLACE\n", true).is_err());
    }
}
