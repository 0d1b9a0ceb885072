//! khabar-analysis
