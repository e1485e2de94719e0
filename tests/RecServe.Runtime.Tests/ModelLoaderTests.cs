using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests;

public sealed class ModelLoaderTests
{
    [Fact]
    public void LoadsTheOnnxFileOfAVersionFolder()
    {
        var folder = FixtureModels.VersionPath("mlp_opset13");

        Assert.True(ModelLoader.HasModel(folder));
        using var model = ModelLoader.Load(folder, new OnnxModelOptions());

        Assert.IsType<OnnxModel>(model);
        Assert.Equal("x", Assert.Single(model.Signature.Inputs).Name);
    }

    [Fact]
    public void FolderWithoutAModelIsRefused()
    {
        var folder = Directory.CreateTempSubdirectory("recserve-empty-version-");
        try
        {
            Assert.False(ModelLoader.HasModel(folder.FullName));

            var error = Assert.Throws<ModelLoadException>(() => ModelLoader.Load(folder.FullName, new OnnxModelOptions()));

            Assert.Contains("model.onnx", error.Message);
        }
        finally
        {
            folder.Delete();
        }
    }
}
