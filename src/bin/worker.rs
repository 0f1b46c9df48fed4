//! The Web Worker binary (trunk `data-type="worker"`): parses CSVs and trains models for the
//! Train page, off the main thread. All of its logic is in `genre_lens::worker::handler`.

fn main() {
    genre_lens::worker::handler::run();
}
