//! khabar-extract
