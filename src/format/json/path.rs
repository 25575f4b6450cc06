//! The open containers of a line and the keys leading to the current value.

use std::ops::Range;

use super::super::header;
use super::keys::{builtin_role, holds_headers, Keys};
use super::Role;

/// How deep a line may nest: the bits of [`Path::arrays`].
pub(super) const DEPTH_CAP: usize = 128;
/// How many levels of keys are kept; values nested deeper are [`Role::Text`] unless they inherit
/// a role from a key above.
pub(super) const PATH_CAP: usize = 16;

/// The open containers and the keys leading to the current value.
///
/// Invariants: `depth <= DEPTH_CAP`; level 0 is the top-level object; bit `i` of `arrays` is set
/// when level `i` is an array; for an object level `i < PATH_CAP`, `keys[i]` is the range of its
/// current member's key.
#[derive(Default)]
pub(super) struct Path {
    pub(super) depth: usize,
    arrays: u128,
    keys: [Range<usize>; PATH_CAP],
    /// The level of the outermost open container whose key passes its role to everything inside,
    /// and that role.
    inherited: Option<(usize, Role)>,
}

impl Path {
    /// Opens a container one level down; `role` is what its key passes to its contents.
    pub(super) fn open(&mut self, array: bool, role: Option<Role>) -> Option<()> {
        if self.depth == DEPTH_CAP {
            return None;
        }
        let bit = 1u128 << self.depth;
        if array {
            self.arrays |= bit;
        } else {
            self.arrays &= !bit;
        }
        if self.inherited.is_none() {
            self.inherited = role.map(|role| (self.depth, role));
        }
        self.depth += 1;
        Some(())
    }

    pub(super) fn close(&mut self) {
        self.depth -= 1;
        if matches!(self.inherited, Some((level, _)) if level == self.depth) {
            self.inherited = None;
        }
    }

    fn is_array(&self, level: usize) -> bool {
        (self.arrays >> level) & 1 == 1
    }

    pub(super) fn in_array(&self) -> bool {
        self.is_array(self.depth - 1)
    }

    pub(super) fn closer(&self) -> u8 {
        if self.in_array() {
            b']'
        } else {
            b'}'
        }
    }

    pub(super) fn set_key(&mut self, key: Range<usize>) {
        if let Some(slot) = self.keys.get_mut(self.depth - 1) {
            *slot = key;
        }
    }

    /// The keys from the top-level object down to the current value, skipping arrays.
    fn segments<'a>(&'a self, line: &'a [u8]) -> impl DoubleEndedIterator<Item = &'a [u8]> + Clone {
        (0..self.depth.min(PATH_CAP))
            .filter(move |&level| !self.is_array(level))
            .map(move |level| &line[self.keys[level].clone()])
    }

    /// The role of the current value, and whether it passes to the contents of a container
    /// opened there: a user-named role or a secret does, a role guessed from a name does not
    /// (Caddy's `request` holds an object, nginx's a request line).
    pub(super) fn role(&self, line: &[u8], keys: &Keys) -> (Role, bool) {
        let known = self.depth <= PATH_CAP;
        if known {
            if let Some(role) = keys.named(self.segments(line)) {
                return (role, true);
            }
        }
        if let Some((_, role)) = self.inherited {
            return (role, true);
        }
        match self.segments(line).next_back() {
            Some(key) if known => {
                let role = if self.in_headers(line) {
                    header::role(key)
                } else {
                    builtin_role(key)
                };
                (role, role == Role::Secret)
            }
            _ => (Role::Text, false),
        }
    }

    /// Whether the current key is a member of an object that maps header names to values
    /// ([`holds_headers`]). Only called with every level's key kept.
    fn in_headers(&self, line: &[u8]) -> bool {
        let Some(level) = (0..self.depth).rev().find(|&level| !self.is_array(level)) else {
            return false;
        };
        level > 0 && !self.is_array(level - 1) && holds_headers(&line[self.keys[level - 1].clone()])
    }
}
