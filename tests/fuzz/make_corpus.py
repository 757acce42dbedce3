#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_frame: one file per OCCP/1 message type plus a few
stream shapes. Each file is a chunk-size byte followed by length-prefixed CBOR frames.
Run from this folder; the output is committed in corpus/."""
import os
import struct


def cbor(value):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for size, fmt, code in ((0xff, '>B', 24), (0xffff, '>H', 25), (0xffffffff, '>I', 26)):
            if n <= size:
                return bytes([major << 5 | code]) + struct.pack(fmt, n)
        return bytes([major << 5 | 27]) + struct.pack('>Q', n)
    if isinstance(value, bool):
        return b'\xf5' if value else b'\xf4'
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, float):
        return b'\xfb' + struct.pack('>d', value)
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, list):
        return head(4, len(value)) + b''.join(cbor(v) for v in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b''.join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(value)


def frame(message):
    payload = cbor(message)
    return struct.pack('>I', len(payload)) + payload


measurement = {'seq': 7, 'sensor': 'cpu', 'ts': 1790000000000, 'status': 'warn',
               'values': {'load1': 0.75, 'cores': 2}, 'text': 'busy'}
messages = {
    'hello': {'t': 'hello', 'v': 1, 'hubId': 'hub-1', 'hostname': 'pc1', 'os': 'Debian', 'agentVersion': '0.1.0'},
    'batch': {'t': 'batch', 'items': [measurement, dict(measurement, seq=8, status='ok')]},
    'result': {'t': 'result', 'cmdId': 'c1', 'ok': True, 'detail': 'done'},
    'state': {'t': 'state', 'path': 'ConnectorLan', 'queueDepth': 3, 'dropped': 0, 'lastDelivery': 1},
    'ping': {'t': 'ping', 'n': 1},
    'pong': {'t': 'pong', 'n': 1},
    'welcome': {'t': 'welcome', 'v': 1, 'connectorId': 'conn-1', 'heartbeat': 10, 'maxBatch': 500, 'window': 8},
    'ack': {'t': 'ack', 'upTo': 8},
    'cmd': {'t': 'cmd', 'id': 'c1', 'kind': 'runSensor', 'args': ['cpu'], 'expires': 1790000000000},
    'error': {'t': 'error', 'code': 'bad-cbor', 'message': 'invalid'},
}

os.makedirs('corpus', exist_ok=True)
for name, message in messages.items():
    with open(os.path.join('corpus', name), 'wb') as f:
        f.write(b'\x03' + frame(message))
with open(os.path.join('corpus', 'session'), 'wb') as f:
    f.write(b'\x10' + b''.join(frame(m) for m in messages.values()))
with open(os.path.join('corpus', 'unknown-keys'), 'wb') as f:
    f.write(b'\x00' + frame({'t': 'ack', 'upTo': 1, 'extra': [1, {'x': b'\x00'}]}))
with open(os.path.join('corpus', 'too-large'), 'wb') as f:
    f.write(b'\x00' + struct.pack('>I', 1024 * 1024 + 1) + b'\xa0')
