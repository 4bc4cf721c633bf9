//! Mutual exclusion: who may enter the critical section, and in what order.

pub mod central_lock;
pub(crate) mod kit;
pub mod lamport_mutex;
pub mod ricart_agrawala;
pub mod suzuki_kasami;
pub(crate) mod token;
pub mod token_ring;
