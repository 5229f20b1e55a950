resource "aws_db_instance" "legacy" {
  identifier        = "legacy-reports"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  username          = "reports"
  password          = "⟦SEC072:{a62:20}⟧"
  allocated_storage = 20
}

resource "aws_db_instance" "app" {
  identifier     = "app"
  engine         = "postgres"
  username       = "app"
  password       = var.db_password
  instance_class = "db.t4g.small"
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "cache"
  auth_token           = random_password.cache.result
}
