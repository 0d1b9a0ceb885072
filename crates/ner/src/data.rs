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
}
