//! Entity labels and BIO tags.

use std::fmt;
use std::str::FromStr;

/// Entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// Person.
    Per,
    /// Location.
    Loc,
    /// Organization.
    Org,
    /// Miscellaneous (events, nationalities as names, products, ...).
    Misc,
}

impl Label {
    /// All labels in index order.
    pub const ALL: [Label; 4] = [Label::Per, Label::Loc, Label::Org, Label::Misc];

    /// Short name: "PER", "LOC", "ORG", "MISC".
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Per => "PER",
            Label::Loc => "LOC",
            Label::Org => "ORG",
            Label::Misc => "MISC",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Label {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PER" | "PERS" => Ok(Label::Per),
            "LOC" => Ok(Label::Loc),
            "ORG" => Ok(Label::Org),
            "MISC" => Ok(Label::Misc),
            _ => Err(format!("unknown entity type {s:?}")),
        }
    }
}

/// One BIO tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    /// Outside any entity.
    O,
    /// First token of an entity.
    B(Label),
    /// Continuation of an entity.
    I(Label),
}

/// Number of distinct tags.
pub const NUM_TAGS: usize = 9;

impl Tag {
    /// Dense index: O = 0, B-X = 1 + 2x, I-X = 2 + 2x.
    #[inline]
    pub fn index(self) -> usize {
        match self {
            Tag::O => 0,
            Tag::B(l) => 1 + 2 * l.index(),
            Tag::I(l) => 2 + 2 * l.index(),
        }
    }

    /// Inverse of [`Tag::index`]; indices ≥ 9 map to `O`.
    #[inline]
    pub fn from_index(i: usize) -> Tag {
        match i {
            1..=8 => {
                let l = Label::ALL[(i - 1) / 2];
                if i % 2 == 1 {
                    Tag::B(l)
                } else {
                    Tag::I(l)
                }
            }
            _ => Tag::O,
        }
    }

    /// The entity type, if any.
    pub fn label(self) -> Option<Label> {
        match self {
            Tag::O => None,
            Tag::B(l) | Tag::I(l) => Some(l),
        }
    }

    /// May `next` follow `self` in a valid BIO sequence?
    #[inline]
    pub fn allows(self, next: Tag) -> bool {
        match next {
            Tag::I(l) => matches!(self, Tag::B(p) | Tag::I(p) if p == l),
            _ => true,
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tag::O => f.write_str("O"),
            Tag::B(l) => write!(f, "B-{l}"),
            Tag::I(l) => write!(f, "I-{l}"),
        }
    }
}

impl FromStr for Tag {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "O" {
            return Ok(Tag::O);
        }
        match s.split_once('-') {
            Some(("B", l)) => Ok(Tag::B(l.parse()?)),
            Some(("I", l)) => Ok(Tag::I(l.parse()?)),
            _ => Err(format!("bad tag {s:?}")),
        }
    }
}

/// True when `tags` is a valid BIO sequence (no I-X after O or after another type).
pub fn is_valid_bio(tags: &[Tag]) -> bool {
    let mut prev = Tag::O;
    for &t in tags {
        if let Tag::I(_) = t {
            if !prev.allows(t) {
                return false;
            }
        }
        prev = t;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip() {
        for i in 0..NUM_TAGS {
            let t = Tag::from_index(i);
            assert_eq!(t.index(), i);
            assert_eq!(t.to_string().parse::<Tag>().unwrap(), t);
        }
        assert_eq!("B-PERS".parse::<Tag>().unwrap(), Tag::B(Label::Per));
        assert_eq!(Tag::I(Label::Misc).to_string(), "I-MISC");
    }

    #[test]
    fn validity() {
        use Label::*;
        assert!(is_valid_bio(&[Tag::B(Per), Tag::I(Per), Tag::O]));
        assert!(!is_valid_bio(&[Tag::O, Tag::I(Per)]));
        assert!(!is_valid_bio(&[Tag::I(Loc)]));
        assert!(!is_valid_bio(&[Tag::B(Loc), Tag::I(Org)]));
    }
}
