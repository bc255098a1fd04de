namespace CatalogBackend;

public class Program
{
    public static void Main(string[] args) => WebApplication.CreateBuilder(args).Build().Run();
}
