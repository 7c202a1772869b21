from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "peerdiag.directory"
    label = "directory"
    verbose_name = "Directory"
