"""URLs and views of the minimal Django site."""

from django.http import HttpResponse, HttpResponseNotFound
from django.urls import path


def index(request):
    return HttpResponse(f"<h1>Django index</h1> script={request.META['SCRIPT_NAME']}")


def form(request):
    return HttpResponse(f"name={request.POST['name']} n={request.POST.getlist('n')}")


def upload(request):
    f = request.FILES["file"]
    data = f.read()
    return HttpResponse(f"{f.name}:{len(data)}:{data[:5].decode()}:{request.POST['note']}")


def missing(request):
    return HttpResponseNotFound("not here")


urlpatterns = [
    path("", index),
    path("form", form),
    path("upload", upload),
    path("missing", missing),
]
