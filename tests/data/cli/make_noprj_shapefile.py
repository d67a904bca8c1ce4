# Writes tests/data/cli/phl_box_2272_noprj.{shp,shx,dbf} (see tests/data/README.md).
# Writes a one-polygon ESRI shapefile without .prj (coordinates in EPSG:2272, US survey feet).
import struct, sys
base = sys.argv[1]
x0, y0, x1, y1 = 2640000.0, 190000.0, 2760000.0, 310000.0
ring = [(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)]  # clockwise: an outer ring
content = struct.pack('<i4d2i', 5, x0, y0, x1, y1, 1, len(ring)) + struct.pack('<i', 0)
for x, y in ring: content += struct.pack('<2d', x, y)
def header(length_bytes):
    return (struct.pack('>7i', 9994, 0, 0, 0, 0, 0, length_bytes // 2) +
            struct.pack('<2i', 1000, 5) + struct.pack('<8d', x0, y0, x1, y1, 0, 0, 0, 0))
rec = struct.pack('>2i', 1, len(content) // 2) + content
open(base + '.shp', 'wb').write(header(100 + len(rec)) + rec)
open(base + '.shx', 'wb').write(header(108) + struct.pack('>2i', 50, len(content) // 2))
name = b'name'.ljust(11, b'\0')
field = name + b'C' + b'\0' * 4 + bytes([8, 0]) + b'\0' * 14
hdr_len = 32 + 32 + 1
rec_len = 1 + 8
dbf = struct.pack('<B3BiHH20x', 3, 126, 12, 7, 1, hdr_len, rec_len) + field + b'\r'
dbf += b' ' + b'phl'.ljust(8) + b'\x1a'
open(base + '.dbf', 'wb').write(dbf)
