//! khabar-corpus
