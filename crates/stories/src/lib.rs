//! # khabar-stories
//!
//! The same news across outlets. Pure algorithms over per-article [`Features`]; the corpus
//! computes the features while indexing and stores what these functions return.
//!
//! * [`minhash`]: MinHash signatures of an article's word 4-shingles and LSH banding, for
//!   near-duplicates (wire copy, reposts) with their estimated Jaccard similarity.
//! * [`cluster`]: online same-story clustering in time order, as the Europe Media Monitor
//!   does it: each article joins the open story whose centroid it is most similar to, or
//!   starts a story; a story closes after days without news. Similarity is the cosine of
//!   TF-IDF vectors over the collection whose features are the article's content words, its
//!   headline words, its linked entities and its specific numbers.
//!
//! Results depend only on the set of articles, never on the order they were indexed in:
//! articles are processed by (time, id), and a story's id is a hash of its first article's id.

pub mod cluster;
mod features;
pub mod minhash;

pub use cluster::{
    article_vectors, cluster, cosine, pair_similarity, Clustering, DuplicateGroup, Input, Linkage,
    Params, Story, Vector, CHANNELS,
};
pub use features::{Features, FeaturesError};
