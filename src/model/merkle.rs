//! The Merkle tree of an append-only log, as RFC 6962 (Certificate Transparency) defines it
//! (section 2.1; the verification algorithms are those of RFC 9162, section 2.1.3.2 and
//! 2.1.4.2): a leaf's hash is `SHA-256(0x00 || bytes)`, an inner node's `SHA-256(0x01 || left ||
//! right)`, and a tree of `n` leaves splits at the largest power of two below `n`. The empty
//! tree's root is `SHA-256("")`.
//!
//! Plain functions over leaf hashes: the store gives the leaves (the exact stored bytes of each
//! event); an auditor's copy of listdiff checks proofs with nothing but these functions.

use sha2::{Digest, Sha256};

/// A SHA-256 hash: of a leaf, an inner node or a whole tree (its root).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TreeHash(pub [u8; 32]);

impl TreeHash {
    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads 64 hex digits.
    pub fn from_hex(text: &str) -> Option<TreeHash> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(TreeHash(bytes.try_into().ok()?))
    }
}

impl std::fmt::Display for TreeHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// The hash of a leaf holding `bytes`.
pub fn leaf_hash(bytes: &[u8]) -> TreeHash {
    let mut hasher = Sha256::new();
    hasher.update([0u8]);
    hasher.update(bytes);
    TreeHash(hasher.finalize().into())
}

/// The hash of an inner node.
pub fn node_hash(left: &TreeHash, right: &TreeHash) -> TreeHash {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left.0);
    hasher.update(right.0);
    TreeHash(hasher.finalize().into())
}

/// The largest power of two smaller than `n` (`n` > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The root of the tree whose leaves have these hashes (RFC 6962's MTH).
pub fn root(leaves: &[TreeHash]) -> TreeHash {
    match leaves.len() {
        0 => TreeHash(Sha256::digest(b"").into()),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The inclusion proof (audit path) of leaf `index` in the tree of `leaves`, from the leaf
/// upwards; `None` when `index` is outside the tree.
pub fn inclusion_proof(index: usize, leaves: &[TreeHash]) -> Option<Vec<TreeHash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    path_of(index, leaves, &mut path);
    Some(path)
}

fn path_of(index: usize, leaves: &[TreeHash], path: &mut Vec<TreeHash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if index < k {
        path_of(index, &leaves[..k], path);
        path.push(root(&leaves[k..]));
    } else {
        path_of(index - k, &leaves[k..], path);
        path.push(root(&leaves[..k]));
    }
}

/// True when `path` proves that `leaf` is leaf `index` of a tree of `size` leaves with root
/// `root_hash`.
pub fn verify_inclusion(
    leaf: &TreeHash,
    index: u64,
    size: u64,
    path: &[TreeHash],
    root_hash: &TreeHash,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root_hash
}

/// The consistency proof that the tree of the first `old_size` of `leaves` is a prefix of the
/// tree of all of them; `None` when `old_size` is larger than the tree.
pub fn consistency_proof(old_size: usize, leaves: &[TreeHash]) -> Option<Vec<TreeHash>> {
    if old_size > leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    if old_size > 0 && old_size < leaves.len() {
        subproof(old_size, leaves, true, &mut proof);
    }
    Some(proof)
}

fn subproof(m: usize, leaves: &[TreeHash], whole: bool, proof: &mut Vec<TreeHash>) {
    let n = leaves.len();
    if m == n {
        if !whole {
            proof.push(root(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], whole, proof);
        proof.push(root(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, proof);
        proof.push(root(&leaves[..k]));
    }
}

/// True when `proof` shows that the tree of `old_size` leaves with root `old_root` is a prefix
/// of the tree of `new_size` leaves with root `new_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[TreeHash],
    old_root: &TreeHash,
    new_root: &TreeHash,
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        // Every tree extends the empty one.
        return proof.is_empty() && *old_root == root(&[]);
    }
    if proof.is_empty() {
        return false;
    }
    let mut path: Vec<TreeHash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == *old_root && sr == *new_root && s == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The leaves of the Certificate Transparency reference tests.
    fn reference_leaves() -> Vec<TreeHash> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|h| leaf_hash(&hex::decode(h).unwrap()))
        .collect()
    }

    fn h(text: &str) -> TreeHash {
        TreeHash::from_hex(text).unwrap()
    }

    #[test]
    fn roots_match_the_reference_vectors() {
        let leaves = reference_leaves();
        let expected = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        for (n, root_hex) in expected.iter().enumerate() {
            assert_eq!(root(&leaves[..=n]).to_hex(), *root_hex, "{} leaves", n + 1);
        }
        assert_eq!(
            root(&[]).to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn proofs_match_the_reference_vectors() {
        let leaves = reference_leaves();
        assert_eq!(
            inclusion_proof(0, &leaves).unwrap(),
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ]
        );
        assert_eq!(
            inclusion_proof(5, &leaves).unwrap(),
            vec![
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ]
        );
        assert_eq!(
            consistency_proof(6, &leaves).unwrap(),
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ]
        );
        assert_eq!(
            consistency_proof(1, &leaves).unwrap(),
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ]
        );
        assert!(inclusion_proof(8, &leaves).is_none());
        assert!(consistency_proof(9, &leaves).is_none());
    }

    fn leaves_of(n: usize, salt: u8) -> Vec<TreeHash> {
        (0..n)
            .map(|i| leaf_hash(&[salt, i as u8, (i >> 8) as u8]))
            .collect()
    }

    proptest! {
        /// Every leaf's proof verifies; a different leaf, index, size or root does not.
        #[test]
        fn inclusion_proofs_verify_and_bind(n in 1usize..80, pick in 0usize..1000) {
            let leaves = leaves_of(n, 1);
            let top = root(&leaves);
            let index = pick % n;
            let path = inclusion_proof(index, &leaves).unwrap();
            prop_assert!(verify_inclusion(&leaves[index], index as u64, n as u64, &path, &top));
            let other = leaf_hash(b"not in the tree");
            prop_assert!(!verify_inclusion(&other, index as u64, n as u64, &path, &top));
            if n > 1 {
                let wrong = (index + 1) % n;
                prop_assert!(!verify_inclusion(&leaves[index], wrong as u64, n as u64, &path, &top));
            }
            prop_assert!(!verify_inclusion(&leaves[index], n as u64, n as u64, &path, &top));
            prop_assert!(!verify_inclusion(&leaves[index], index as u64, n as u64, &path, &leaf_hash(b"x")));
            for k in 0..path.len() {
                let mut bad = path.clone();
                bad[k].0[0] ^= 1;
                prop_assert!(!verify_inclusion(&leaves[index], index as u64, n as u64, &bad, &top));
            }
        }

        /// A prefix's proof verifies; a rewritten history (one leaf changed in the prefix) does not.
        #[test]
        fn consistency_proofs_verify_and_detect_rewrites(n in 1usize..80, pick in 0usize..1000, flip in 0usize..1000) {
            let leaves = leaves_of(n, 2);
            let m = pick % (n + 1);
            let proof = consistency_proof(m, &leaves).unwrap();
            let old_root = root(&leaves[..m]);
            let new_root = root(&leaves);
            prop_assert!(verify_consistency(m as u64, n as u64, &proof, &old_root, &new_root));
            if m > 0 {
                let mut rewritten = leaves.clone();
                rewritten[flip % m] = leaf_hash(b"rewritten");
                let proof2 = consistency_proof(m, &rewritten).unwrap();
                let new_root2 = root(&rewritten);
                prop_assert!(!verify_consistency(m as u64, n as u64, &proof2, &old_root, &new_root2));
                prop_assert!(!verify_consistency(m as u64, n as u64, &proof, &old_root, &new_root2));
            }
            if m > 0 && m < n {
                prop_assert!(!verify_consistency(m as u64, n as u64, &[], &old_root, &new_root));
                prop_assert!(!verify_consistency(m as u64 + 1, n as u64, &proof, &old_root, &new_root));
            }
        }
    }
}
