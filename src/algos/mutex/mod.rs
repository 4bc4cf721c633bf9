//! Mutual exclusion: who may enter the critical section, and in what order.

pub(crate) mod kit;
pub(crate) mod token;
pub mod ricart_agrawala;
pub mod suzuki_kasami;
pub mod lamport_mutex;
pub mod central_lock;
pub mod token_ring;
