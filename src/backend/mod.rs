//! Execution backends. Eager evaluation runs every primitive on the CPU backend.

pub mod cpu;
