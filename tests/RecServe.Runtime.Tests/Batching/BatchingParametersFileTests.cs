using RecServe.Runtime.Batching;

namespace RecServe.Runtime.Tests.Batching;

public sealed class BatchingParametersFileTests
{
    [Fact]
    public void ReadsTfServingTextFormat()
    {
        var options = BatchingParametersFile.Parse("""
            max_batch_size { value: 128 }
            batch_timeout_micros { value: 500 }
            num_batch_threads { value: 4 }
            max_enqueued_batches { value: 10 }
            allowed_batch_sizes: 32
            allowed_batch_sizes: 128
            pad_variable_length_inputs: false
            """);
        Assert.Equal(128, options.MaxBatchSize);
        Assert.Equal(500, options.BatchTimeoutMicros);
        Assert.Equal(4, options.NumBatchThreads);
        Assert.Equal(10, options.MaxEnqueuedBatches);
        Assert.Equal([32, 128], options.AllowedBatchSizes);
        Assert.Equal(32, options.PaddedSize(20));
        Assert.Equal(128, options.PaddedSize(33));
    }

    [Fact]
    public void ReadsJson()
    {
        var options = BatchingParametersFile.Parse("""{"max_batch_size": 16, "batch_timeout_micros": 0, "allowed_batch_sizes": [8, 16]}""");
        Assert.Equal(16, options.MaxBatchSize);
        Assert.Equal(0, options.BatchTimeoutMicros);
        Assert.Equal([8, 16], options.AllowedBatchSizes);
    }

    [Theory]
    [InlineData("max_batch_size { value: 8 }\nallowed_batch_sizes: 4", "last of allowed_batch_sizes")]
    [InlineData("max_batch_size { value: 8 }\nallowed_batch_sizes: 8\nallowed_batch_sizes: 4", "strictly increasing")]
    [InlineData("max_batch_size { value: 0 }", "must be positive")]
    [InlineData("max_batch_sise { value: 8 }", "unknown field 'max_batch_sise'")]
    [InlineData("{\"max_batch_size\": 8, \"colour\": 1}", "unknown field 'colour'")]
    [InlineData("{\"max_batch_size\": ", "not valid")]
    [InlineData("max_batch_size { value: x }", "max_batch_size must be written as")]
    [InlineData("batch_timeout_micros { value: -5 }", "batch_timeout_micros must be written as")]
    public void RejectsBadFilesSayingWhy(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => BatchingParametersFile.Parse(text));
        Assert.Contains(message, error.Message);
    }
}
