//! khabar-pipeline
