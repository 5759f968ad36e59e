//! Tool bodies: one file per tool, each implementing its generated trait.

mod article;
mod corpus;
mod search;

/// State shared by every tool handler: the article archive, loaded once.
pub struct App {
    corpus: corpus::Corpus,
}

impl Default for App {
    fn default() -> Self {
        Self {
            corpus: corpus::Corpus::embedded(),
        }
    }
}
