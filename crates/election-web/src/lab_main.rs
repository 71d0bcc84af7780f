//! The full lab: the page with every algorithm (built with the `full` feature), which the page
//! loads when it meets an algorithm it leaves out (see `full.rs`). It mounts into `#app`.

fn main() {
    election_web::install_panic_hook();
    election_web::mount();
}
