//! The metadata image: what the metadata log says once replayed (Kafka's `MetadataImage`,
//! `ClusterImage` and `TopicsImage`): the registered brokers with their broker epochs and
//! whether they are fenced, and every partition's leader, ISR and epochs. The active controller
//! keeps one of its whole log; a broker one of what is committed; the monitor one of what any
//! node has seen committed.

use crate::engine::collections::{Map, Set};
use crate::engine::time::NodeId;
use crate::replication::{PartitionId, PartitionState};

use super::Cluster;
use super::message::{MetaEntry, MetadataRecord};

/// A broker's registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    /// The offset of its `RegisterBrokerRecord`.
    pub broker_epoch: u64,
    /// Fenced brokers may not lead or join an ISR.
    pub fenced: bool,
}

/// The replayed metadata log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    /// Registered brokers.
    pub brokers: Map<NodeId, Registration>,
    /// Every partition's state; the topic exists from the start (its `PartitionRecord`s are
    /// part of the bootstrap), each partition offline with its whole assignment as ISR.
    pub partitions: Vec<PartitionState>,
}

impl Image {
    /// The image of an empty log.
    pub(super) fn new(cluster: &Cluster) -> Self {
        let partitions = (0..cluster.config.isr.partitions)
            .map(|p| PartitionState::offline(cluster.assignment(p)))
            .collect();
        Image { brokers: Map::new(), partitions }
    }

    /// The image of `entries`, the first entries of a log.
    pub(super) fn replay(cluster: &Cluster, entries: &[MetaEntry]) -> Self {
        let mut image = Image::new(cluster);
        for (offset, e) in entries.iter().enumerate() {
            image.apply(offset as u64, &e.record);
        }
        image
    }

    /// Applies the record at `offset`.
    pub fn apply(&mut self, offset: u64, record: &MetadataRecord) {
        match record {
            MetadataRecord::LeaderChange { .. } => {}
            MetadataRecord::RegisterBroker { broker } => {
                self.brokers.insert(*broker, Registration { broker_epoch: offset, fenced: true });
            }
            MetadataRecord::UnfenceBroker { broker, broker_epoch } => {
                if let Some(r) = self.brokers.get_mut(broker)
                    && r.broker_epoch == *broker_epoch
                {
                    r.fenced = false;
                }
            }
            MetadataRecord::FenceBroker { broker, broker_epoch } => {
                if let Some(r) = self.brokers.get_mut(broker)
                    && r.broker_epoch == *broker_epoch
                {
                    r.fenced = true;
                }
            }
            MetadataRecord::PartitionChange { partition, state } => {
                if let Some(st) = self.partitions.get_mut(*partition as usize) {
                    *st = state.clone();
                }
            }
        }
    }

    /// The brokers that are registered and not fenced: those that may lead or join an ISR.
    pub fn unfenced(&self) -> Set<NodeId> {
        self.brokers.iter().filter(|(_, r)| !r.fenced).map(|(b, _)| *b).collect()
    }

    /// Partition `p`'s state.
    pub fn partition(&self, p: PartitionId) -> Option<&PartitionState> {
        self.partitions.get(p as usize)
    }
}
