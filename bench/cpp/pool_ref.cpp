// Reference for the C# pooling kernel: the same table files (mmap), the same open-addressing lookup (Fibonacci
// hash, linear probing, key array + row array, key 0 = free bucket with the id 0 kept aside), the same sum pooling,
// written as the plain loop a C++ programmer would write and left to g++ -O3 -march=native to vectorise.
// One exception: g++ 12 does not vectorise _Float16 -> float (it converts one element at a time), so the fp16
// loop uses the F16C hardware conversion 8 halves at a time, a stronger reference than a plain loop would be.
//
// usage: pool_ref TABLE_DIR IDS_FILE BAG BATCH
// prints: ns_per_lookup checksum   (checksum = sum of every pooled output of one pass, as `RecServe.Bench checksum`)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <immintrin.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

struct Mapped {
    const uint8_t* data;
    size_t size;
};

Mapped map_file(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) { perror(path.c_str()); exit(1); }
    struct stat st;
    fstat(fd, &st);
    void* p = mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    close(fd);
    return {static_cast<const uint8_t*>(p), static_cast<size_t>(st.st_size)};
}

template <typename T> T at(const uint8_t* p, size_t offset) { T v; memcpy(&v, p + offset, sizeof v); return v; }

constexpr size_t kHeader = 64;
enum DType { kFloat32 = 1, kFloat16 = 3, kInt8 = 4 };  // RecServe.Core TensorDataType values

struct Table {
    const int64_t* keys;
    const int32_t* rows_of_bucket;
    uint64_t mask;
    int shift;
    int32_t empty_key_row;
    const uint8_t* rows;
    int dim;
    int dtype;
    int stride;
    std::vector<uint8_t> default_row;  // zeros, as the bench tables have no default row

    const uint8_t* find(int64_t id) const {
        if (id == 0) return empty_key_row >= 0 ? rows + size_t(empty_key_row) * stride : nullptr;
        uint64_t b = (uint64_t(id) * 0x9E3779B97F4A7C15ull) >> shift;
        for (;;) {
            int64_t k = keys[b];
            if (k == id) return rows + size_t(rows_of_bucket[b]) * stride;
            if (k == 0) return nullptr;
            b = (b + 1) & mask;
        }
    }
};

Table open_table(const std::string& dir) {
    Mapped index = map_file(dir + "/index.bin");
    Mapped rows = map_file(dir + "/rows.bin");
    Table t;
    int64_t buckets = at<int64_t>(index.data, 24);
    t.keys = reinterpret_cast<const int64_t*>(index.data + kHeader);
    t.rows_of_bucket = reinterpret_cast<const int32_t*>(index.data + kHeader + buckets * 8);
    t.mask = uint64_t(buckets) - 1;
    t.shift = 64 - __builtin_ctzll(uint64_t(buckets));
    t.empty_key_row = at<int32_t>(index.data, 40);
    t.rows = rows.data + kHeader;
    t.dim = at<int32_t>(rows.data, 32);
    t.dtype = at<int32_t>(rows.data, 36);
    t.stride = at<int32_t>(rows.data, 40);
    t.default_row.assign(t.stride, 0);
    return t;
}

void pool_fp32(const Table& t, const int64_t* ids, int batch, int bag, float* out) {
    const int dim = t.dim;
    for (int b = 0; b < batch; ++b) {
        float* o = out + size_t(b) * dim;
        std::fill(o, o + dim, 0.0f);
        for (int j = 0; j < bag; ++j) {
            int64_t id = ids[size_t(b) * bag + j];
            if (id < 0) continue;
            const uint8_t* r = t.find(id);
            const float* row = reinterpret_cast<const float*>(r ? r : t.default_row.data());
            for (int d = 0; d < dim; ++d) o[d] += row[d];
        }
    }
}

void pool_fp16(const Table& t, const int64_t* ids, int batch, int bag, float* out) {
    const int dim = t.dim;
    for (int b = 0; b < batch; ++b) {
        float* o = out + size_t(b) * dim;
        std::fill(o, o + dim, 0.0f);
        for (int j = 0; j < bag; ++j) {
            int64_t id = ids[size_t(b) * bag + j];
            if (id < 0) continue;
            const uint8_t* r = t.find(id);
            const uint16_t* row = reinterpret_cast<const uint16_t*>(r ? r : t.default_row.data());
            int d = 0;
            for (; d + 8 <= dim; d += 8) {
                __m256 h = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + d)));
                _mm256_storeu_ps(o + d, _mm256_add_ps(_mm256_loadu_ps(o + d), h));
            }
            for (; d < dim; ++d) o[d] += _cvtsh_ss(row[d]);
        }
    }
}

void pool_int8(const Table& t, const int64_t* ids, int batch, int bag, float* out) {
    const int dim = t.dim;
    for (int b = 0; b < batch; ++b) {
        float* o = out + size_t(b) * dim;
        std::fill(o, o + dim, 0.0f);
        for (int j = 0; j < bag; ++j) {
            int64_t id = ids[size_t(b) * bag + j];
            if (id < 0) continue;
            const uint8_t* r = t.find(id);
            if (!r) r = t.default_row.data();
            float scale = at<float>(r, 0), bias = at<float>(r, 4);
            const int8_t* q = reinterpret_cast<const int8_t*>(r + 8);
            for (int d = 0; d < dim; ++d) o[d] += float(q[d]) * scale + bias;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s TABLE_DIR IDS_FILE BAG BATCH\n", argv[0]); return 2; }
    Table t = open_table(argv[1]);
    int bag = atoi(argv[3]), batch = atoi(argv[4]);
    Mapped id_file = map_file(argv[2]);
    std::vector<int64_t> ids(id_file.size / 8);
    memcpy(ids.data(), id_file.data, id_file.size);
    size_t per_batch = size_t(batch) * bag, batches = ids.size() / per_batch;
    std::vector<float> out(size_t(batch) * t.dim);
    auto pool = t.dtype == kFloat32 ? pool_fp32 : t.dtype == kFloat16 ? pool_fp16 : pool_int8;

    double checksum = 0;
    auto pass = [&](bool sum) {
        for (size_t i = 0; i < batches; ++i) {
            pool(t, ids.data() + i * per_batch, batch, bag, out.data());
            if (sum) for (float v : out) checksum += v;
        }
    };
    pass(true);
    for (int i = 0; i < 2; ++i) pass(false);  // warm-up, as BenchmarkDotNet's

    // Median of 15 samples, each at least 100 ms of whole passes.
    std::vector<double> samples;
    for (int s = 0; s < 15; ++s) {
        auto start = std::chrono::steady_clock::now();
        size_t passes = 0;
        double elapsed;
        do {
            pass(false);
            ++passes;
            elapsed = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
        } while (elapsed < 1e8);
        samples.push_back(elapsed / (double(passes) * ids.size()));
    }
    std::sort(samples.begin(), samples.end());
    printf("%.3f %.17g\n", samples[samples.size() / 2], checksum);
    return 0;
}
