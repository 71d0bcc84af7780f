//! Mounts the Leader Election Lab page (see the library for the components), or loads the full
//! lab when the address asks for an algorithm the page leaves out (see `full.rs`).

fn main() {
    election_web::install_panic_hook();
    match election_web::full::wanted() {
        Some(algorithm) => election_web::full::load(algorithm),
        None => election_web::mount(),
    }
}
