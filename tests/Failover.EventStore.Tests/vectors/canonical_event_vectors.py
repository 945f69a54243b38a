# Independent re-implementation of docs/eventstore.md (canonical encoding format 1); produced the vectors in CanonicalEventTests.
# Run: python3 canonical_event_vectors.py
import hashlib, struct, uuid, datetime
def enc(pos, stream, ver, eid, typ, at_us, caus, corr, obs, payload):
    b = bytes([1]) + struct.pack('>q', pos)
    s = stream.encode('utf-8'); b += struct.pack('>i', len(s)) + s
    b += struct.pack('>q', ver) + uuid.UUID(eid).bytes
    t = typ.encode(); b += struct.pack('>i', len(t)) + t
    b += struct.pack('>q', at_us)
    for g in (caus, corr):
        b += (bytes([1]) + uuid.UUID(g).bytes) if g else bytes([0])
    if obs is None: b += bytes([0])
    else:
        o = obs.encode('utf-8'); b += bytes([1]) + struct.pack('>i', len(o)) + o
    b += struct.pack('>i', len(payload)) + payload
    return b
at = 1767323045123456
e1 = enc(1, "producer-été", 0, "01234567-89ab-cdef-0123-456789abcdef", "block-produced.v1", at, "11111111-2222-3333-4444-555555555555", None, "observer-eu-1", b'{"block_num":42}')
h1 = hashlib.sha256(bytes(32) + e1).digest()
e2 = enc(2, "producer-été", 1, "fedcba98-7654-3210-fedc-ba9876543210", "block-missed.v1", at + 500000, None, "66666666-7777-8888-9999-aaaaaaaaaaaa", None, b'{}')
h2 = hashlib.sha256(h1 + e2).digest()
print(e1.hex()); print(h1.hex()); print(h2.hex())
